/**
 * A key one process holds (a lease or a claim: a random token, PX ttl), renewed and let go only
 * by its holder: compare the token and act in one script, so a holder that lost the key (expired,
 * taken by another process) never extends or deletes someone else's. Used by ingestion-lease.ts
 * and sandbox-owner.ts.
 */
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';

const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** Extends the key by ttlMs if `token` still holds it; false when it does not any more. */
export async function renewHeld(redis: Redis, key: string, token: string, ttlMs: number): Promise<boolean> {
  return Number(await redis.eval(RENEW, 1, key, token, ttlMs)) === 1;
}

/** Deletes the key if `token` still holds it. */
export async function releaseHeld(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, token);
}

/**
 * Whether a holder token `<host> <pid> …` names a process of this host that is gone (crashed):
 * its key can be taken over at once rather than after its ttl.
 */
export function heldByDeadProcess(holder: string): boolean {
  const [host, pid] = holder.split(' ');
  if (host !== hostname() || !/^\d+$/.test(pid ?? '')) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM'; // EPERM: it exists, not ours to signal
  }
}
