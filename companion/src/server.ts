/**
 * The companion process: `node --import tsx companion/src/server.ts [--role all|api|worker]`.
 *
 * Composition only: one Redis connection, the ledger, then by role the expiry sweeper
 * (all|worker) and the HTTP app (all|api). Each part registers how to stop it; SIGTERM/SIGINT
 * stop them in reverse order (the app first, so in-flight requests finish while the ledger
 * and Redis are still there), then Redis is closed.
 */
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { buildApp, type AppPlugin } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createKeys } from './ledger/keys';
import { createLedger } from './ledger/ledger';
import { startSweeper } from './ledger/sweeper';
import { createLogger, type Logger } from './logger';

export interface Running {
  /** Where the HTTP app listens (http://host:port), or null for the worker role. */
  address: string | null;
  close(): Promise<void>;
}

/** The Redis URL without its password, fit for a log line. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an unparsable URL';
  }
}

export async function start(config: Readonly<Config>, opts: { logger?: Logger; plugins?: AppPlugin[] } = {}): Promise<Running> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3, connectionName: `stockline-${config.role}` });
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err }, 'error while stopping'));
    await redis.quit().catch(() => redis.disconnect());
  };
  try {
    const keys = createKeys({ prefix: config.keyPrefix });
    const ledger = createLedger({ redis, keys, idempotencyTtlSeconds: config.idempotencyTtlSeconds });
    if (!(await ledger.ready()))
      throw new Error(`could not load the ledger scripts into Redis at ${safeUrl(config.redisUrl)} — is it running?`);

    if (config.role === 'all' || config.role === 'worker') {
      const sweeper = startSweeper({ ledger, redis, keys, onError: (err) => logger.warn({ err }, 'expiry sweep failed; retrying') });
      stops.push(() => sweeper.stop());
    }

    let address: string | null = null;
    if (config.role === 'all' || config.role === 'api') {
      const app = await buildApp({ config, redis, ledger, logger, plugins: opts.plugins });
      address = await app.listen({ host: config.host, port: config.port });
      stops.push(() => app.close());
    }
    logger.info(
      { role: config.role, address, redis: safeUrl(config.redisUrl), keyPrefix: config.keyPrefix },
      'stockline companion started',
    );
    return { address, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Entry point: read the environment once, start, and stop cleanly on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(process.env, process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`stockline: ${err.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({ level: config.logLevel });
  let running: Running;
  try {
    running = await start(config, { logger });
  } catch (err) {
    logger.fatal({ err }, 'stockline companion could not start');
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    running.close().then(
      () => process.exit(0),
      (err) => {
        logger.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
