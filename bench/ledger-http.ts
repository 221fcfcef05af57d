/**
 * The ledger over real HTTP: the companion app listening on a random port, driven by an undici
 * connection pool with signed requests exactly as the plugin sends them. Imported by
 * bench/ledger.ts (one table with the direct and raw-Redis rows); can also run alone:
 *   node --import tsx bench/ledger-http.ts redis://127.0.0.1:6379 [--worker]
 *
 * Rows: opsPerSec counts events applied per second (a batch of 100 is 100 ops), linesPerSec
 * counts order lines, p50/p99 are per-request latencies as the client sees them.
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { Pool } from 'undici';
import { buildApp } from '../companion/src/app';
import { loadConfig } from '../companion/src/config';
import { sign } from '../companion/src/http/signature';
import { createKeys } from '../companion/src/ledger/keys';
import { createLedger } from '../companion/src/ledger/ledger';
import { createLogger } from '../companion/src/logger';
import { unlinkPrefix } from '../scripts/lib/throwaway-redis.mjs';

export interface Row {
  name: string;
  opsPerSec: number;
  linesPerSec?: number;
  p50Ms: number;
  p99Ms: number;
}

export interface HttpBenchOptions {
  redisUrl: string;
  /** Key prefix to use (the caller owns it and cleans it up). */
  prefix: string;
  /** Measured seconds per row (after a short warm-up); default 3. */
  seconds?: number;
  /**
   * Where the load generator runs. 'inline' (default): in this thread, so the client's CPU is
   * charged to the server and the figures are a lower bound. 'worker': a worker thread, closer
   * to a separate client but, on a busy 2-core machine, dominated by cross-thread wake-ups.
   */
  client?: 'inline' | 'worker';
}

const SKUS = 1000;
const BATCH = 100;
const CLIENT_ROLE = 'ledger-http-client';

type LoadName = 'reserve-one' | 'confirm-batch';
interface ClientJob {
  role: typeof CLIENT_ROLE;
  address: string;
  secret: string;
  load: LoadName;
  seconds: number;
  /** Closed loop: this many clients each send, wait, send again. */
  concurrency?: number;
  /** Open loop: this many requests per second regardless of answers. */
  perSecond?: number;
}
interface ClientResult {
  latencies: number[];
  events: number;
  lines: number;
  seconds: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** The load generator: signed requests over an undici pool, closed or open loop. */
async function runClient(job: ClientJob): Promise<ClientResult> {
  const pool = new Pool(job.address, { connections: Math.max(job.concurrency ?? 0, 64), pipelining: 1 });
  const run = randomBytes(4).toString('hex');
  let seq = 0;
  const id = () => `bench-${run}-${++seq}`;
  const sku = () => `BENCH-${Math.floor(Math.random() * SKUS)}`;
  const at = () => new Date().toISOString();
  const next = (): { body: string; events: number; lines: number } => {
    if (job.load === 'reserve-one') {
      const event = {
        id: id(),
        type: 'stock.reserved',
        source: 'woocommerce',
        occurredAt: at(),
        reservationId: id(),
        lines: [{ sku: sku(), qty: 1 }],
        ttlSeconds: 900,
      };
      return { body: JSON.stringify(event), events: 1, lines: 1 };
    }
    const events = Array.from({ length: BATCH }, () => ({
      id: id(),
      type: 'order.confirmed',
      source: 'woocommerce',
      occurredAt: at(),
      orderId: id(),
      lines: [{ sku: sku(), qty: 1 }],
    }));
    return { body: JSON.stringify({ events }), events: BATCH, lines: BATCH };
  };
  const send = async (body: string): Promise<number> => {
    const started = performance.now();
    const res = await pool.request({
      method: 'POST',
      path: '/v1/events',
      headers: { 'content-type': 'application/json', 'x-stockline-signature': sign(job.secret, body) },
      body,
    });
    await res.body.dump();
    if (res.statusCode !== 200) throw new Error(`bench request answered ${res.statusCode}`);
    return performance.now() - started;
  };

  const latencies: number[] = [];
  let events = 0;
  let lines = 0;
  try {
    if (job.concurrency) {
      const warmUntil = performance.now() + 500;
      const endAt = warmUntil + job.seconds * 1000;
      await Promise.all(
        Array.from({ length: job.concurrency }, async () => {
          while (performance.now() < endAt) {
            const req = next();
            const ms = await send(req.body);
            if (performance.now() > warmUntil) {
              latencies.push(ms);
              events += req.events;
              lines += req.lines;
            }
          }
        }),
      );
    } else {
      const perSecond = job.perSecond ?? 1;
      const inFlight = new Set<Promise<void>>();
      const started = performance.now();
      let issued = 0;
      while (performance.now() - started < job.seconds * 1000) {
        const due = Math.floor(((performance.now() - started) / 1000) * perSecond);
        for (; issued < due; issued++) {
          const req = next();
          events += req.events;
          lines += req.lines;
          const p = send(req.body).then((ms) => void latencies.push(ms));
          inFlight.add(p);
          void p.finally(() => inFlight.delete(p));
        }
        await new Promise((r) => setImmediate(r));
      }
      await Promise.all(inFlight);
    }
  } finally {
    await pool.close();
  }
  return { latencies, events, lines, seconds: job.seconds };
}

function inWorker(job: ClientJob): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    // Node 20 workers do not inherit tsx's loader hooks: register them, then load this file.
    const entry = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
    const worker = new Worker(entry, { eval: true, workerData: job });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`bench client exited with ${code}`)));
  });
}

function toRow(name: string, r: ClientResult, withLines: boolean): Row {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return {
    name,
    opsPerSec: Math.round(r.events / r.seconds),
    ...(withLines ? { linesPerSec: Math.round(r.lines / r.seconds) } : {}),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
  };
}

export async function benchLedgerHttp({ redisUrl, prefix, seconds = 3, client = 'inline' }: HttpBenchOptions): Promise<Row[]> {
  const secret = randomBytes(24).toString('hex');
  const config = loadConfig({
    STOCKLINE_REDIS_URL: redisUrl,
    STOCKLINE_KEY_PREFIX: prefix,
    STOCKLINE_SECRET: secret,
    STOCKLINE_ADMIN_TOKEN: randomBytes(24).toString('hex'),
    STOCKLINE_LOG_LEVEL: 'warn',
    STOCKLINE_HOST: '127.0.0.1',
    STOCKLINE_PORT: '0',
  });
  const redis = new Redis(redisUrl);
  const ledger = createLedger({ redis, keys: createKeys({ prefix }), idempotencyTtlSeconds: config.idempotencyTtlSeconds });
  const app = await buildApp({ config, redis, ledger, logger: createLogger({ level: 'warn' }) });
  try {
    const address = await app.listen({ host: config.host, port: 0 });
    // Enough stock that no order is refused: the bench measures the applied path.
    const at = new Date().toISOString();
    const seed = Array.from({ length: SKUS }, (_, i) => ({
      id: `seed-${prefix}-${i}`,
      type: 'stock.adjusted' as const,
      source: 'manual',
      occurredAt: at,
      sku: `BENCH-${i}`,
      set: 1_000_000_000,
      reason: 'bench',
    }));
    await ledger.applyBatch(seed);

    const job = { role: CLIENT_ROLE, address, secret, seconds } as const;
    const drive = client === 'worker' ? inWorker : runClient;
    // Warm the JIT, sockets and Redis before any measured row (on a busy machine the first
    // seconds of a fresh process are several times slower than the steady state).
    await drive({ ...job, seconds: Math.max(2, seconds / 2), load: 'reserve-one', concurrency: 32 });
    await drive({ ...job, seconds: 1, load: 'confirm-batch', concurrency: 8 });
    const single = toRow('http single reserve (1 line, 32 clients)', await drive({ ...job, load: 'reserve-one', concurrency: 32 }), false);
    const batched = toRow(
      `http batch of ${BATCH} order.confirmed (1 line each, 8 clients)`,
      await drive({ ...job, load: 'confirm-batch', concurrency: 8 }),
      true,
    );
    const halfRate = Math.max(1, Math.floor(single.opsPerSec / 2));
    const half = toRow(
      `http single reserve at half of peak (${halfRate}/s, open loop)`,
      await drive({ ...job, load: 'reserve-one', perSecond: halfRate }),
      false,
    );
    return [single, batched, half];
  } finally {
    await app.close();
    await redis.quit();
  }
}

if (!isMainThread && (workerData as ClientJob | undefined)?.role === CLIENT_ROLE) {
  runClient(workerData as ClientJob).then((r) => parentPort!.postMessage(r));
}

if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const redisUrl = process.argv[2] ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-http-${randomBytes(3).toString('hex')}:`;
  const client = process.argv.includes('--worker') ? 'worker' : 'inline';
  benchLedgerHttp({ redisUrl, prefix, client }).then(
    async (rows) => {
      console.table(rows);
      const redis = new Redis(redisUrl);
      await unlinkPrefix(redis, prefix);
      await redis.quit();
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
