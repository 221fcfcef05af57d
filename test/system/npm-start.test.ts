/**
 * The newcomer's path: `npm start` (scripts/start.mjs) with no channel credentials runs the four
 * sandbox channels and simulated shoppers; within a minute the status line shows every channel
 * with lag figures, orders move the ledger, and every sandbox shows the ledger's numbers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestRedis, type TestRedis } from '../support/redis';
import { freePort } from '../../scripts/lib/throwaway-redis.mjs';

const ROOT = join(import.meta.dirname, '..', '..');
const CHANNELS = ['woocommerce', 'shopify', 'amazon', 'flipkart'];


describe('npm start on sandbox channels', () => {
  let child: ChildProcess | undefined;
  let t: TestRedis | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'stockline-start-'));
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    await t?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows stock moving on four sandbox channels within a minute, and they converge on the ledger', async () => {
    t = await createTestRedis();
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      STOCKLINE_REDIS_URL: t.url,
      STOCKLINE_KEY_PREFIX: t.prefix,
      STOCKLINE_PORT: String(port),
      STOCKLINE_SANDBOX_PORT_BASE: '0',
      STOCKLINE_SHOPPER_RATE: '4',
      // The shoppers stop after 30 orders, so the channels must then settle on the ledger exactly.
      STOCKLINE_SHOPPER_MAX_ORDERS: '30',
      STOCKLINE_STATUS_EVERY_MS: '1000',
      STOCKLINE_DATA_DIR: dataDir,
      STOCKLINE_LOG_LEVEL: 'warn',
    };
    child = spawn(process.execPath, ['scripts/start.mjs'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += String(c)));
    child.stderr!.on('data', (c) => (out += String(c)));

    const waitFor = (pred: () => boolean, ms: number, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => {
          if (pred()) {
            clearInterval(timer);
            resolve();
          } else if (child!.exitCode !== null) {
            clearInterval(timer);
            reject(new Error(`npm start exited (${child!.exitCode}) before ${what}:\n${out}`));
          }
        }, 100);
        setTimeout(() => {
          clearInterval(timer);
          reject(new Error(`no ${what} within ${ms} ms:\n${out}`));
        }, ms);
      });

    // A status line naming all four channels with lag figures and accepted orders.
    const statusWithOrders = () =>
      out.split('\n').some((l) => l.includes('status ·') && /orders [1-9]\d* accepted/.test(l) && CHANNELS.every((c) => l.includes(`${c} `)) && /lag p50 \d+ms/.test(l));
    await waitFor(statusWithOrders, 60_000, 'status line with orders and lag for four channels');

    const line = out.split('\n').find((l) => l.includes('sandbox channels:'))!;
    const urls = Object.fromEntries([...line.matchAll(/(woocommerce|shopify|amazon|flipkart) (http:\/\/[\d.:]+)/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(urls).sort()).toEqual([...CHANNELS].sort());
    const token = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(dataDir, 'secrets.json'), 'utf8'))).STOCKLINE_ADMIN_TOKEN;

    await waitFor(() => out.includes('simulated shoppers stopped'), 60_000, 'the shoppers to stop');
    // Every channel must now settle on the ledger's numbers (orders reported by polling included).
    const base = `http://127.0.0.1:${port}`;
    let last = '';
    let converged = false;
    let moved = false;
    for (let i = 0; i < 150 && !converged; i++) {
      const stock = (await (await fetch(`${base}/v1/stock?limit=100`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        items: { sku: string; available: number; committed: number; reserved: number; paused: string | null }[];
      };
      moved ||= stock.items.some((s) => s.committed + s.reserved > 0);
      const shown = await Promise.all(CHANNELS.map(async (c) => [c, await (await fetch(`${urls[c]}/_sandbox/quantities`)).json()] as const));
      const mismatches = shown.flatMap(([c, q]) =>
        stock.items
          .filter((s) => (q as Record<string, number>)[s.sku] !== (s.paused ? 0 : Math.max(0, s.available)))
          .map((s) => `${c}:${s.sku}`),
      );
      converged = mismatches.length === 0 && stock.items.length > 0;
      last = mismatches.join(', ');
      if (!converged) await new Promise((r) => setTimeout(r, 200));
    }
    expect(moved).toBe(true);
    expect(last).toBe('');
    expect(converged).toBe(true);

    // A buffer on Amazon: its status reads "in step" against what it should show (available − 2),
    // not against the ledger's available (every SKU read out of step under a buffer).
    const rule = await fetch(`${base}/v1/rules/channels/amazon`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ buffer: 2 }),
    });
    expect(rule.status).toBe(200);
    // First Amazon must show the buffered numbers; only a status line printed after that tells.
    const stock = (await (await fetch(`${base}/v1/stock?limit=100`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { sku: string; available: number; paused: string | null }[] };
    let buffered = false;
    for (let i = 0; i < 100 && !buffered; i++) {
      const q = (await (await fetch(`${urls.amazon}/_sandbox/quantities`)).json()) as Record<string, number>;
      buffered = stock.items.every((s) => q[s.sku] === (s.paused ? 0 : Math.max(0, s.available - 2)));
      if (!buffered) await new Promise((r) => setTimeout(r, 200));
    }
    expect(buffered).toBe(true);
    const from = out.length;
    const amazonLine = () => out.slice(from).split('\n').find((l) => /amazon \w+ lag p50 \S+ p99 \S+ in step \d+\/\d+/.test(l));
    await waitFor(() => amazonLine() !== undefined, 10_000, 'a status line after the buffer landed');
    const [, inStep, of] = /amazon \w+ lag p50 \S+ p99 \S+ in step (\d+)\/(\d+)/.exec(amazonLine()!)!;
    expect(Number(of)).toBeGreaterThan(0);
    expect(inStep).toBe(of);
  }, 150_000);
});
