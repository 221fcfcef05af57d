/**
 * A propagation worker process for the kill -9 test: role 'worker' on the test's Redis and
 * prefix, pushing to the test's fake channel. Prints "ready" once it consumes and works.
 * Env: REDIS_URL, PREFIX, FAKE_ID, FAKE_URL, FAKE_TOKEN, SETTINGS (JSON of Partial<SyncSettings>).
 */
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createFakeAdapter } from '../../companion/src/channels/fake';
import { createKeys } from '../../companion/src/ledger/keys';
import { createLedger } from '../../companion/src/ledger/ledger';
import { startPropagation } from '../../companion/src/propagation/runtime';

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`worker-child needs ${name}`);
  return v;
};

const url = env('REDIS_URL');
const prefix = env('PREFIX');
const connect = () => new Redis(url, { maxRetriesPerRequest: null });
const redis = connect();
const keys = createKeys({ prefix });
const ledger = createLedger({ redis, keys, idempotencyTtlSeconds: 3600 });
await ledger.ready();
const adapter = createFakeAdapter({ id: env('FAKE_ID'), url: env('FAKE_URL'), token: env('FAKE_TOKEN'), timeoutMs: 5000 });
await startPropagation({
  redis,
  connection: connect,
  keys,
  ledger,
  channels: [adapter],
  config: { keyPrefix: prefix, tenants: { default: {} }, propagation: { rateOverrides: {} } },
  logger: pino({ level: 'silent' }),
  role: 'worker',
  settings: JSON.parse(process.env.SETTINGS ?? '{}'),
});
process.stdout.write('ready\n');
