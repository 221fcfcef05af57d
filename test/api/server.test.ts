import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../companion/src/config';
import { sign } from '../../companion/src/http/signature';
import { createKeys } from '../../companion/src/ledger/keys';
import { createLogger } from '../../companion/src/logger';
import { start } from '../../companion/src/server';
import { createTestRedis } from '../support/redis';
import { ADMIN_TOKEN, events, SECRET, testEnv } from './helpers';
import { freePort } from '../../scripts/lib/throwaway-redis.mjs';

const root = new URL('../..', import.meta.url).pathname;

const silent = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

describe('the companion process', () => {
  it('serves signed writes and admin reads over real HTTP, and stops cleanly', async () => {
    const t = await createTestRedis();
    const config = loadConfig({ ...testEnv(t.prefix, t.url), STOCKLINE_PORT: '0' });
    const running = await start(config, { logger: silent() });
    try {
      expect(running.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const payload = JSON.stringify(events.received('SRV-1', 3));
      const write = await fetch(`${running.address}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-stockline-signature': sign(SECRET, payload) },
        body: payload,
      });
      expect(write.status).toBe(200);
      const read = await fetch(`${running.address}/v1/stock/SRV-1`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(await read.json()).toMatchObject({ onHand: 3 });
    } finally {
      await running.close();
    }
    await expect(fetch(`${running.address}/healthz`)).rejects.toThrow();
    await t.cleanup();
  });

  it('runs the expiry sweeper in the worker role without listening', async () => {
    const t = await createTestRedis();
    const api = await start(loadConfig({ ...testEnv(t.prefix, t.url), STOCKLINE_PORT: '0' }, ['--role', 'api']), { logger: silent() });
    const worker = await start(loadConfig({ ...testEnv(t.prefix, t.url), STOCKLINE_PORT: '0' }, ['--role', 'worker']), {
      logger: silent(),
    });
    try {
      expect(worker.address).toBeNull();
      const post = (body: unknown) => {
        const payload = JSON.stringify(body);
        return fetch(`${api.address}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-stockline-signature': sign(SECRET, payload) },
          body: payload,
        });
      };
      await post(events.received('SW-1', 2));
      expect((await post(events.reserved('cart-sw', [{ sku: 'SW-1', qty: 2 }], { ttlSeconds: 1 }))).status).toBe(200);
      // Wait for the sweeper's audit entry (XREAD BLOCK), not for a clock.
      const audit = createKeys({ prefix: t.prefix }).audit('default');
      const reader = t.connect();
      let lastId = (await reader.xrevrange(audit, '+', '-', 'COUNT', 1))[0]![0];
      let released: { type: string; reason?: string } | undefined;
      while (!released) {
        const reply = await reader.xread('BLOCK', 5000, 'STREAMS', audit, lastId);
        if (!reply) break;
        for (const [id, fields] of reply[0]![1]) {
          lastId = id;
          const entry = JSON.parse(fields[fields.indexOf('e') + 1]!) as { type: string; reason?: string };
          if (entry.type === 'stock.released') released = entry;
        }
      }
      expect(released).toMatchObject({ reason: 'expired' });
      const state = await fetch(`${api.address}/v1/stock/SW-1`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(await state.json()).toMatchObject({ reserved: 0, available: 2 });
    } finally {
      await worker.close();
      await api.close();
      await t.cleanup();
    }
  });

  it('after a restart in sandbox mode, lists the ledger on the fresh sandboxes before pushing what changed while it was down', async () => {
    const t = await createTestRedis();
    const env = {
      ...testEnv(t.prefix, t.url),
      STOCKLINE_PORT: '0',
      STOCKLINE_SANDBOX: 'on',
      STOCKLINE_SANDBOX_PORT_BASE: '0',
      STOCKLINE_SHOPPER: 'off',
      STOCKLINE_STATUS_EVERY_MS: '3600000',
    };
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    /** Every channel's acknowledged quantity for the SKU equals what it should show. */
    const inStep = async (address: string, sku: string, expected?: number) => {
      const res = await fetch(`${address}/v1/sync?skus=${sku}`, { headers: admin });
      const [row] = ((await res.json()) as { items: { channels: Record<string, { expected: number; matches: boolean }> }[] }).items;
      const cells = Object.values(row?.channels ?? {});
      return cells.length === 4 && cells.every((c) => c.matches && (expected === undefined || c.expected === expected));
    };
    const settle = async (address: string, sku: string, expected?: number) => {
      const deadline = Date.now() + 20_000;
      while (!(await inStep(address, sku, expected))) {
        if (Date.now() > deadline) throw new Error(`${sku} did not reach every sandbox channel`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const first = await start(loadConfig(env), { logger: silent(), print: () => undefined });
    try {
      await settle(first.address!, 'HOODIE-M', 60); // the demo catalogue, pushed everywhere
    } finally {
      await first.close();
    }
    // Work left in Redis by the first run comes due while Stockline is down: Amazon's accepted
    // pushes owe a read-back 30 s later (delayed jobs); after a longer stop they run at start.
    const { Queue } = await import('bullmq');
    const amazon = new Queue('sync-amazon', { connection: t.connect(), prefix: `${t.prefix}{bull}` });
    expect(await amazon.getDelayedCount()).toBeGreaterThan(0);
    await amazon.promoteJobs();
    await amazon.close();
    // And the count of a SKU changes (the change waits on the feed).
    const { createLedger } = await import('../../companion/src/ledger/ledger');
    const ledger = createLedger({ redis: t.redis, keys: createKeys({ prefix: t.prefix }), idempotencyTtlSeconds: 3600 });
    await ledger.ready();
    await ledger.apply({ id: 'down-1', type: 'stock.adjusted', source: 'manual', occurredAt: new Date().toISOString(), sku: 'HOODIE-M', set: 7, reason: 'recount' });

    const again = await start(loadConfig(env), { logger: silent(), print: () => undefined });
    try {
      await settle(again.address!, 'HOODIE-M', 7);
      // No push met a sandbox that did not list the SKU yet (an unknown listing is dead-lettered).
      const dead = (await (await fetch(`${again.address}/v1/dead-letters`, { headers: admin })).json()) as { items: unknown[] };
      expect(dead.items).toEqual([]);
      // The admin page is told these are stand-ins, not the merchant's accounts.
      const health = (await (await fetch(`${again.address}/v1/channels`, { headers: admin })).json()) as { channels: { id: string; sandbox: boolean }[] };
      expect(health.channels.map((c) => [c.id, c.sandbox]).sort()).toEqual([['amazon', true], ['flipkart', true], ['shopify', true], ['woocommerce', true]]);
    } finally {
      await again.close();
      await t.cleanup();
    }
  }, 60_000);

  it('lists the ledger on fresh sandboxes before propagation can push anything', async () => {
    const t = await createTestRedis();
    const config = loadConfig({ ...testEnv(t.prefix, t.url), STOCKLINE_SANDBOX: 'on', STOCKLINE_SANDBOX_PORT_BASE: '0', STOCKLINE_SHOPPER: 'off' });
    const keys = createKeys({ prefix: t.prefix });
    const { createLedger } = await import('../../companion/src/ledger/ledger');
    const ledger = createLedger({ redis: t.redis, keys, idempotencyTtlSeconds: 3600 });
    await ledger.ready();
    await ledger.apply({ id: 'w-1', type: 'stock.adjusted', source: 'manual', occurredAt: new Date().toISOString(), sku: 'W-1', set: 5, reason: 'count' });
    await ledger.apply({ id: 'w-2', type: 'stock.reserved', source: 'woocommerce', occurredAt: new Date().toISOString(), reservationId: 'c', lines: [{ sku: 'W-1', qty: 2 }], ttlSeconds: 900 });
    // A paused SKU, and one Amazon may show at most 2 of.
    await ledger.apply({ id: 'w-3', type: 'stock.adjusted', source: 'manual', occurredAt: new Date().toISOString(), sku: 'W-P', set: 5, reason: 'count' });
    await ledger.setPaused('default', 'W-P', true, 'photo shoot');
    await ledger.apply({ id: 'w-4', type: 'stock.adjusted', source: 'manual', occurredAt: new Date().toISOString(), sku: 'W-C', set: 9, reason: 'count' });
    const { createRulesStore } = await import('../../companion/src/propagation/rules');
    await createRulesStore({ redis: t.redis, keys }).setSku('default', 'W-C', 'amazon', { maxShown: 2 });
    const { wireChannels } = await import('../../companion/src/wiring');
    const wiring = await wireChannels({ config, redis: t.redis, connect: () => t.connect(), keys, ledger, logger: silent() });
    try {
      // Propagation's workers exist from here on: every sandbox must already list each SKU at
      // what it should show (was: at what is available, W-P 5 and W-C 9 on sale until a push came).
      expect(wiring.sandboxes).not.toBeNull();
      for (const [id, h] of wiring.sandboxes!.handles) {
        const q = h.quantities();
        expect({ id, w1: q['W-1'], wp: q['W-P'], wc: q['W-C'] }).toEqual({ id, w1: 3, wp: 0, wc: id === 'amazon' ? 2 : 9 });
      }
      // And what each was listed at is what Stockline last set there (was: forgotten, so the Stock
      // page read "not listed … never" in red on every cell after a restart).
      const sync = await wiring.runtime.core.syncStatus('default', ['W-1', 'W-P', 'W-C']);
      for (const item of sync) {
        for (const [id, cell] of Object.entries(item.channels)) expect({ sku: item.sku, id, shown: cell.shown, matches: cell.matches }).toEqual({ sku: item.sku, id, shown: cell.expected, matches: true });
      }
      expect(sync.map((i) => i.channels.amazon!.shown)).toEqual([3, 0, 2]);
    } finally {
      await wiring.close();
      await t.cleanup();
    }
  });

  it('after a restart in sandbox mode, puts a paused SKU back to 0 on the fresh sandboxes, which list what is available', async () => {
    const t = await createTestRedis();
    const config = loadConfig({ ...testEnv(t.prefix, t.url), STOCKLINE_SANDBOX: 'on', STOCKLINE_SANDBOX_PORT_BASE: '0', STOCKLINE_SHOPPER: 'off' });
    const keys = createKeys({ prefix: t.prefix });
    const { createLedger } = await import('../../companion/src/ledger/ledger');
    const { syncKeys } = await import('../../companion/src/propagation/sync-keys');
    const ledger = createLedger({ redis: t.redis, keys, idempotencyTtlSeconds: 3600 });
    await ledger.ready();
    await ledger.apply({ id: 'p-1', type: 'stock.adjusted', source: 'manual', occurredAt: new Date().toISOString(), sku: 'P-1', set: 5, reason: 'count' });
    await ledger.setPaused('default', 'P-1', true, 'photo shoot');
    // The run before told every channel 0 and it answered (its acknowledgements are in Redis); the
    // feed was read. Then Stockline stopped, and the sandboxes' memory with it.
    for (const id of ['woocommerce', 'shopify', 'amazon', 'flipkart']) {
      await t.redis.hset(syncKeys(keys, 'default', id).acked, 'P-1', JSON.stringify({ q: 0, v: 2, at: Date.now(), l: 1 }));
    }
    await t.redis.xgroup('CREATE', keys.changes('default'), 'propagation', '$', 'MKSTREAM');
    const { wireChannels } = await import('../../companion/src/wiring');
    const wiring = await wireChannels({ config, redis: t.redis, connect: () => t.connect(), keys, ledger, logger: silent() });
    try {
      const shown = () => Object.fromEntries([...wiring.sandboxes!.handles].map(([id, h]) => [id, h.quantities()['P-1']]));
      const deadline = Date.now() + 15_000;
      while (Object.values(shown()).some((q) => q !== 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Was: every sandbox kept the 5 it was listed with, and GET /v1/sync said 0 ✓.
      expect(shown()).toEqual({ woocommerce: 0, shopify: 0, amazon: 0, flipkart: 0 });
      // Once started, the companion tells the store's plugin it is up (its outbox then delivers at once).
      const woo = wiring.sandboxes!.handles.get('woocommerce') as unknown as { greetings(): number };
      expect(woo.greetings()).toBe(0);
      await wiring.started(null);
      for (const t0 = Date.now(); woo.greetings() === 0 && Date.now() - t0 < 5000; ) await new Promise((r) => setTimeout(r, 20));
      expect(woo.greetings()).toBe(1);
    } finally {
      await wiring.close();
      await t.cleanup();
    }
  });

  it("shows each tenant its own queue and dead-letter counts on GET /v1/channels, not the default tenant's", async () => {
    const t = await createTestRedis();
    const config = loadConfig({ ...testEnv(t.prefix, t.url), STOCKLINE_SANDBOX: 'on', STOCKLINE_SANDBOX_PORT_BASE: '0', STOCKLINE_SHOPPER: 'off', STOCKLINE_TENANT_SECRETS: 'shop2:shop2-secret-0123456789abcdef' });
    const keys = createKeys({ prefix: t.prefix });
    const { createLedger } = await import('../../companion/src/ledger/ledger');
    const { buildApp } = await import('../../companion/src/app');
    const ledger = createLedger({ redis: t.redis, keys, idempotencyTtlSeconds: 3600 });
    await ledger.ready();
    const { wireChannels } = await import('../../companion/src/wiring');
    const wiring = await wireChannels({ config, redis: t.redis, connect: () => t.connect(), keys, ledger, logger: silent() });
    const app = await buildApp({ config, redis: t.redis, ledger, logger: silent(), plugins: wiring.plugins });
    try {
      const letter = (tenant: string, sku: string) => wiring.runtime.core.dead.add(tenant, { channel: 'shopify', sku, error: 'not listed', code: 'not_found' });
      await letter('default', 'D-1');
      await letter('default', 'D-2');
      await letter('shop2', 'S-1');
      const shopify = async (query: string) => {
        const res = await app.inject({ method: 'GET', url: `/v1/channels${query}`, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        expect(res.statusCode, res.body).toBe(200);
        return (res.json().channels as { id: string; deadLetters: number }[]).find((c) => c.id === 'shopify')!;
      };
      expect((await shopify('')).deadLetters).toBe(2);
      expect((await shopify('?tenant=shop2')).deadLetters).toBe(1);
      // A malformed tenant is named like on every other route.
      const bad = await app.inject({ method: 'GET', url: '/v1/channels?tenant=BAD!', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ pointer: '/tenant' });
    } finally {
      await app.close();
      await wiring.close();
      await t.cleanup();
    }
  });

  it('answers 503 within about a second while Redis is gone, says so once in its log, and still stops on SIGTERM', async () => {
    // A Redis of its own, to take away.
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'stockline-outage-'));
    const redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const probe = new Redis({ port, retryStrategy: () => 50 });
    probe.on('error', () => undefined); // refused while redis-server boots
    await probe.ping();
    await probe.quit();
    const child = spawn(process.execPath, ['--import', 'tsx', 'companion/src/server.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        ...testEnv('outage:', `redis://127.0.0.1:${port}`),
        STOCKLINE_LOG_LEVEL: 'info',
        STOCKLINE_PORT: '0',
        // Sandbox channels bring queues and workers: the parts that waited forever for Redis.
        STOCKLINE_SANDBOX: 'on',
        STOCKLINE_SANDBOX_PORT_BASE: '0',
        STOCKLINE_SHOPPER: 'off',
        STOCKLINE_STATUS_EVERY_MS: '3600000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('stockline companion started') && resolve());
        child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
      });
      const address = /"address":"(http:[^"]+)"/.exec(out)?.[1];
      const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
      expect((await fetch(`${address}/v1/stock/OUT-1`, { headers: admin })).status).toBe(404);

      redisServer.kill('SIGKILL');
      await once(redisServer, 'exit');
      const timed = async (path: string, init?: RequestInit) => {
        const t0 = Date.now();
        const res = await fetch(`${address}${path}`, init);
        return { status: res.status, ms: Date.now() - t0, retryAfter: res.headers.get('retry-after') };
      };
      await new Promise((r) => setTimeout(r, 1500)); // past the first reconnect attempts
      const body = JSON.stringify(events.received('OUT-1', 1));
      const answers = [
        await timed('/v1/stock/OUT-1', { headers: admin }),
        await timed('/v1/channels', { headers: admin }),
        await timed('/v1/events', { method: 'POST', headers: { 'content-type': 'application/json', 'x-stockline-signature': sign(SECRET, body) }, body }),
      ];
      for (const a of answers) {
        expect(a).toMatchObject({ status: 503, retryAfter: '1' });
        expect(a.ms).toBeLessThan(2500);
      }
      expect((await timed('/healthz')).status).toBe(200);
      // Many callers at once wait together (one listener for the connection, not one each).
      const many = await Promise.all(Array.from({ length: 30 }, () => timed('/v1/stock/OUT-1', { headers: admin })));
      expect(many.every((a) => a.status === 503)).toBe(true);

      const stopAt = Date.now();
      child.kill('SIGTERM');
      await once(child, 'exit');
      expect(Date.now() - stopAt).toBeLessThan(12_000);
      // Reported through the JSON log, once per connection, not as raw stack traces per attempt.
      expect(out).toContain('Redis cannot be reached; reconnecting');
      expect(out).not.toContain('Unhandled error event');
      expect(out).not.toContain('MaxListenersExceeded');
      expect(out.split('\n').filter((l) => l.startsWith('Error: connect ECONNREFUSED'))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      redisServer.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('started while Redis is down, waits for it (says so) instead of exiting, and starts once it is up', async () => {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'stockline-late-redis-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'companion/src/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...testEnv('late:', `redis://127.0.0.1:${port}`), STOCKLINE_LOG_LEVEL: 'info', STOCKLINE_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let exited: number | null | undefined;
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('exit', (code) => (exited = code));
    let redisServer: ReturnType<typeof spawn> | undefined;
    try {
      for (const t0 = Date.now(); !out.includes('waiting for it') && Date.now() - t0 < 15_000; ) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, 1500));
      // Before: "could not load the ledger scripts … is it running?" and exit 1 at once.
      expect(exited).toBeUndefined();
      expect(out).toContain('waiting for it');
      redisServer = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      for (const t0 = Date.now(); !out.includes('stockline companion started') && Date.now() - t0 < 20_000; ) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain('stockline companion started');
      const address = /"address":"(http:[^"]+)"/.exec(out)?.[1];
      expect((await fetch(`${address}/healthz`)).status).toBe(200);
    } finally {
      child.kill('SIGKILL');
      redisServer?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('exits 0 on SIGTERM after starting, and 1 with a sentence naming a missing variable', async () => {
    const t = await createTestRedis();
    const child = spawn(process.execPath, ['--import', 'tsx', 'companion/src/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, ...testEnv(t.prefix, t.url), STOCKLINE_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => out.includes('stockline companion started') && resolve());
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${out}`)));
    });
    const address = /"address":"(http:[^"]+)"/.exec(out)?.[1];
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(out).not.toContain(SECRET);

    const bad = spawn(process.execPath, ['--import', 'tsx', 'companion/src/server.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, STOCKLINE_ADMIN_TOKEN: ADMIN_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    bad.stderr.on('data', (d) => (err += String(d)));
    const [badCode] = await once(bad, 'exit');
    expect(badCode).toBe(1);
    expect(err).toMatch(/STOCKLINE_SECRET must be set/);
    await t.cleanup();
  });
});
