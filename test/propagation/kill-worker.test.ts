import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { queueName } from '../../companion/src/propagation/queues';
import { ev, fixture, testSettings, until, versionsInOrder, TENANT, type Fixture } from './helpers';

const child = fileURLToPath(new URL('./worker-child.ts', import.meta.url));

function startChild(fx: Fixture, settings: object): Promise<ChildProcess> {
  const fake = fx.fakes[0]!;
  const p = spawn(process.execPath, ['--import', 'tsx', child], {
    env: { ...process.env, REDIS_URL: fx.t.url, PREFIX: fx.t.prefix, FAKE_ID: fake.id, FAKE_URL: fake.url, FAKE_TOKEN: fake.token, SETTINGS: JSON.stringify(settings) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    p.once('error', reject);
    p.once('exit', (code) => reject(new Error(`worker child exited early (${code})`)));
    p.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve(p);
    });
  });
}

describe('worker crash', () => {
  let fx: Fixture | undefined;
  let proc: ChildProcess | undefined;
  afterEach(async () => {
    proc?.kill('SIGKILL');
    await fx?.close();
    fx = undefined;
  });

  it('retries the job of a worker killed with SIGKILL mid-push, and no stale value lands', { timeout: 120_000 }, async () => {
    fx = await fixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'K', quantity: 0 }]);
    // Short locks and leases so the crash is noticed in about a second, not thirty.
    const settings = { ...testSettings, leaseMs: 2500, lockDurationMs: 1000, stalledIntervalMs: 300, reapEveryMs: 100 };
    proc = await startChild(fx, settings);
    await fx.ledger.apply(ev.received('K', 10));
    await until(() => fake.quantities().K === 10, 40_000, 'the child worker to push the first value');

    // The child's next push reaches the channel and hangs there; the child dies meanwhile.
    fake.setFaults({ slowWrites: { calls: 1, ms: 1500 } });
    await fx.ledger.apply(ev.sale('K', 1));
    await until(() => fake.stats().writesInFlight === 1, 10_000, 'the child to be mid-push');
    const q = new Queue(queueName('fake-a'), { connection: fx.t.connect(), prefix: settings.queuePrefix ?? `${fx.t.prefix}bull` });
    const [active] = await q.getActive();
    expect(active).toBeDefined();
    proc.kill('SIGKILL');
    await new Promise((r) => proc!.once('exit', r));
    await fx.ledger.apply(ev.sale('K', 1));
    await fx.ledger.apply(ev.sale('K', 1));

    const survivor = await fx.start({ settings });
    const seen = new Set<string>();
    survivor.workers[0]!.on('active', (job) => seen.add(job.id!));
    await until(() => seen.has(active!.id!), 30_000, 'the killed job to be retried by the survivor');
    await fx.settled(20_000);

    expect(fake.quantities().K).toBe(7);
    const writes = fake.writes().filter((w) => w.sku === 'K');
    expect(versionsInOrder(writes)).toBe(true);
    expect(writes.at(-1)!.version).toBe((await fx.ledger.getStock(TENANT, 'K'))!.version);
    console.log(`[kill-9] writes to K: ${writes.map((w) => `v${w.version}=${w.quantity}`).join(', ')}; stale rows refused: ${fake.stats().staleRows}`);
    await q.close();
  });
});
