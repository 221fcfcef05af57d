/**
 * The Stockline process of the benchmark: the real ledger, app, propagation workers, observer and
 * channel modules, wired the way the companion runs (role all), pointed at the parent's sandboxes.
 * It runs in its own process so Stockline and the shoppers + sandboxes each get a core.
 * Input: BENCH_SYNC (JSON, see ChildInput). Prints one line `READY {json}` when it listens.
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildApp } from '../../companion/src/app';
import { loadConfig } from '../../companion/src/config';
import { createKeys } from '../../companion/src/ledger/keys';
import { createLedger } from '../../companion/src/ledger/ledger';
import { createLogger } from '../../companion/src/logger';
import { wireChannels } from '../../companion/src/wiring';
import { buildChannel } from './channels';

export interface ChildInput {
  redisUrl: string;
  prefix: string;
  port: number;
  secret: string;
  adminToken: string;
  limitsOff: boolean;
  /** Run the channels' own order ingestion (webhook routes, queue consumers, pollers). */
  ingestion: boolean;
  channels: { id: string; config: Record<string, unknown> }[];
  /** 'all' (default): one process does everything; 'api' + 'worker': the scaled split (README). */
  role?: 'all' | 'api' | 'worker';
}

const input = JSON.parse(process.env.BENCH_SYNC ?? '{}') as ChildInput;
const rateEnv: Record<string, string> = {};
if (input.limitsOff) {
  for (const c of input.channels) {
    rateEnv[`STOCKLINE_${c.id.toUpperCase()}_RPS`] = '100000';
    rateEnv[`STOCKLINE_${c.id.toUpperCase()}_BURST`] = '100000';
  }
}
const config = loadConfig({
  STOCKLINE_REDIS_URL: input.redisUrl,
  STOCKLINE_KEY_PREFIX: input.prefix,
  STOCKLINE_SECRET: input.secret,
  STOCKLINE_ADMIN_TOKEN: input.adminToken,
  STOCKLINE_PORT: String(input.port),
  STOCKLINE_LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  STOCKLINE_SANDBOX: 'off',
  STOCKLINE_ROLE: input.role ?? 'all',
  ...rateEnv,
});
// Logs go to stderr: stdout carries the READY line to the parent.
const logger = createLogger({ level: config.logLevel, destination: pino.destination(2) });
const connect = () => new Redis(config.redisUrl, { maxRetriesPerRequest: null });
// BENCH_AUTOPIPELINE=1 tries ioredis auto-pipelining on the shared connection (server.ts does not).
const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, enableAutoPipelining: process.env.BENCH_AUTOPIPELINE === '1' });
const keys = createKeys({ prefix: config.keyPrefix });
const ledger = createLedger({ redis, keys, idempotencyTtlSeconds: config.idempotencyTtlSeconds });
if (!(await ledger.ready())) throw new Error('ledger scripts did not load');

const deps = { redis, keys, tenant: 'default', logger };
const modules = await Promise.all(input.channels.map((c) => buildChannel(c.id, c.config, deps, input.limitsOff)));
// Composed exactly as the companion composes itself, with the benchmark's own channel modules.
// BENCH_SYNC_SETTINGS: propagation tunables as JSON (e.g. {"coalesceMs":0}) to compare settings.
const settings = process.env.BENCH_SYNC_SETTINGS ? (JSON.parse(process.env.BENCH_SYNC_SETTINGS) as Record<string, unknown>) : undefined;
const wiring = await wireChannels({ config, redis, connect, keys, ledger, logger, modules, ingestion: input.ingestion, settings });
const app = await buildApp({ config, redis, ledger, logger, plugins: wiring.plugins });
// A worker process serves no HTTP, as server.ts runs it.
if (config.role !== 'worker') await app.listen({ host: '127.0.0.1', port: config.port });
await wiring.started(null);

process.stdout.write(`READY ${JSON.stringify({ limits: Object.fromEntries(modules.map((m) => [m.id, m.adapter.limits])) })}\n`);

let stopping = false;
process.on('SIGTERM', async () => {
  if (stopping) return;
  stopping = true;
  await app.close();
  await wiring.close();
  redis.disconnect();
  process.exit(0);
});
