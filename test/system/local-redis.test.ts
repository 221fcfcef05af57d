/**
 * `npm start`'s local Redis (scripts/lib/redis.mjs): a Redis already answering on the port is
 * reused only when it keeps its data in this data folder. Another checkout's Redis on the same
 * port would otherwise be shared silently, its ledger taken for this one's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalRedis } from '../../scripts/lib/redis.mjs';
import { startThrowawayRedis } from '../../scripts/lib/throwaway-redis.mjs';

describe("npm start's local Redis", () => {
  let other: Awaited<ReturnType<typeof startThrowawayRedis>>;
  const elsewhere = mkdtempSync(join(tmpdir(), 'stockline-elsewhere-'));
  beforeAll(async () => {
    other = await startThrowawayRedis({ name: 'other-checkout' });
  });
  afterAll(async () => {
    await other.stop();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('reuses the Redis on its port when that Redis keeps its data in this data folder', async () => {
    expect(await startLocalRedis({ dataDir: other.dir, port: other.port })).toBe(`redis://127.0.0.1:${other.port}`);
  });

  it("refuses another data folder's Redis on its port, naming both folders and what to do", async () => {
    await expect(startLocalRedis({ dataDir: elsewhere, port: other.port })).rejects.toThrow(
      new RegExp(`port ${other.port} already has a Redis keeping its data in ${other.dir}, not in ${elsewhere} .*STOCKLINE_LOCAL_REDIS_PORT`),
    );
  });
});
