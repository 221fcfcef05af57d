/**
 * The companion process: `node --import tsx companion/src/server.ts [--role all|api|worker]`.
 *
 * Composition only: one Redis connection, the ledger, then by role the expiry sweeper
 * (all|worker), channels + propagation (wiring.ts) and the HTTP app (all|api); in sandbox mode
 * the demo catalogue, simulated shoppers and status lines (sandbox-demo.ts). Each part registers how to stop it; SIGTERM/SIGINT
 * stop them in reverse order (the app first, so in-flight requests finish while the ledger
 * and Redis are still there), then Redis is closed.
 */
import { pathToFileURL } from 'node:url';
import { Redis, type RedisOptions } from 'ioredis';
import { buildApp, type AppPlugin } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createKeys } from './ledger/keys';
import { createLedger } from './ledger/ledger';
import { startSweeper } from './ledger/sweeper';
import { createLogger, type Logger } from './logger';
import { startSandboxDemo } from './sandbox-demo';
import { DEFAULT_TENANT, wireChannels } from './wiring';
import { SandboxesInUseError } from './channels/sandbox-owner';

export interface Running {
  /** Where the HTTP app listens (http://host:port), or null for the worker role. */
  address: string | null;
  close(): Promise<void>;
}

/**
 * The main connection (API, ledger, sweeper, propagation's reads and writes, metrics, feed
 * trimming; never a blocking command, those have their own connections): a command Redis does not
 * answer within the timeout fails, and the request is answered 503 with Retry-After. An event
 * write cut short that way may still be applied when Redis answers; its retry, with the same
 * id, then gets the first result (idempotency), so nothing is applied twice.
 */
export function mainConnectionOptions(config: Config): RedisOptions {
  return { maxRetriesPerRequest: 3, commandTimeout: config.redisCommandTimeoutMs, connectionName: `stockline-${config.role}` };
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

/** How long all parts (the API, propagation, the sweeper …) together may take to stop. */
const STOP_WITHIN_MS = 8000;

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export async function start(
  config: Readonly<Config>,
  opts: { logger?: Logger; plugins?: AppPlugin[]; print?: (line: string) => void } = {},
): Promise<Running> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel });
  const print = opts.print ?? ((line: string) => process.stdout.write(`[stockline] ${line}\n`));
  // Every connection reports its errors through the log, once per outage: without a listener
  // ioredis prints each failed reconnect attempt as a stack trace outside the JSON log.
  const reported = (r: Redis) => {
    let down = false;
    r.on('error', (err: Error) => {
      if (!down) logger.warn({ err: err.message, redis: safeUrl(config.redisUrl) }, 'Redis cannot be reached; reconnecting');
      down = true;
    });
    r.on('ready', () => (down = false));
    return r;
  };
  const connect = () => reported(new Redis(config.redisUrl, { maxRetriesPerRequest: null, connectionName: `stockline-${config.role}` }));
  const redis = reported(new Redis(config.redisUrl, mainConnectionOptions(config)));
  const stops: (() => Promise<unknown>)[] = [];
  const close = async () => {
    // Stopping is bounded in time: with Redis gone, a queue or worker waits for replies that never
    // come, and the companion would not stop. A part cut short loses nothing: an unfinished sync
    // job's lock lapses and the job runs again (pushes are idempotent), and the plugin keeps every
    // event it has not seen acknowledged.
    const deadline = Date.now() + STOP_WITHIN_MS;
    for (const stop of stops.reverse()) {
      await within(stop(), Math.max(deadline - Date.now(), 0)).catch((err) => logger.error({ err }, 'error while stopping'));
    }
    await within(redis.quit(), 1000).catch(() => redis.disconnect());
  };
  try {
    const keys = createKeys({ prefix: config.keyPrefix });
    const ledger = createLedger({ redis, keys, idempotencyTtlSeconds: config.idempotencyTtlSeconds });
    // Redis down, restarting or still loading its AOF: wait for it rather than exit (a chaos probe's
    // processes started meanwhile exited at once and stayed down until restarted by hand). A
    // supervisor sees the process up; /healthz is not served until Redis answers.
    const waitingSince = Date.now();
    for (let attempt = 0; !(await ledger.ready()); attempt++) {
      if (attempt % 4 === 0) {
        logger.warn(
          { redis: safeUrl(config.redisUrl), waitedSeconds: Math.round((Date.now() - waitingSince) / 1000) },
          `cannot load the ledger scripts into Redis at ${safeUrl(config.redisUrl)} (down, or still loading its data); waiting for it`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 2_000)));
    }

    if (config.role === 'all' || config.role === 'worker') {
      const sweeper = startSweeper({
        ledger,
        redis,
        keys,
        auditRetentionMs: (config.auditRetentionDays ?? 0) * 86_400_000,
        onError: (err) => logger.warn({ err }, 'expiry sweep or audit trim failed; retrying'),
      });
      stops.push(() => sweeper.stop());
    }

    const wiring = await wireChannels({ config, redis, connect, keys, ledger, logger });
    stops.push(() => wiring.close());

    let address: string | null = null;
    if (config.role === 'all' || config.role === 'api') {
      const app = await buildApp({ config, redis, ledger, logger, plugins: [...wiring.plugins, ...(opts.plugins ?? [])], channels: wiring.modules.map((m) => m.id), metrics: wiring.metrics });
      address = await app.listen({ host: config.host, port: config.port });
      stops.push(() => app.close());
    }
    await wiring.started(address);
    if (wiring.sandboxes && config.role !== 'api') {
      const demo = await startSandboxDemo({ config, ledger, sandboxes: wiring.sandboxes, listed: wiring.sandboxCatalogue, observer: wiring.observer, rules: wiring.runtime.core.rules, tenant: DEFAULT_TENANT, print, statusEveryMs: config.statusEveryMs });
      stops.push(() => demo.stop());
    }
    logger.info(
      {
        role: config.role,
        address,
        redis: safeUrl(config.redisUrl),
        keyPrefix: config.keyPrefix,
        channels: wiring.modules.map((m) => m.id),
        sandbox: wiring.sandboxes ? [...wiring.sandboxes.handles.keys()] : [],
      },
      'stockline companion started',
    );
    if (address) print(`companion listening on ${address} (API docs at ${address}/v1/docs)`);
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
    const e = err as NodeJS.ErrnoException & { port?: number };
    if (err instanceof SandboxesInUseError) process.stderr.write(`stockline: ${err.message}\n`);
    if (e?.code === 'EADDRINUSE') {
      // The log line above is JSON for machines; say the way out in a sentence too.
      const which = e.port === config.port ? 'STOCKLINE_PORT' : 'STOCKLINE_SANDBOX_PORT_BASE (the sandbox channels use it and the next three)';
      process.stderr.write(`stockline: port ${e.port ?? '?'} is already in use (another Stockline?); stop what holds it or set ${which} to a free port.\n`);
    }
    process.exit(1);
  }
  let stopping = false;
  let firstSignalAt = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    // `npm start` forwards the signal and the terminal sends it to the whole process group,
    // so the same stop request can arrive twice at once; only a later one means "now".
    if (stopping && Date.now() - firstSignalAt < 2000) return;
    firstSignalAt ||= Date.now();
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
