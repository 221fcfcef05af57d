/**
 * Sandboxes keep their listings in the memory of the process that runs them, while what each
 * channel was last told lives in Redis. Two processes with sandboxes on one Redis each pushed
 * about half the changes to their own sandboxes and took the other half for already shown: after
 * a minute, ~150 of 300 SKUs were wrong on every sandbox of both, while GET /v1/sync said
 * "matches" (acceptance: chaos pass 27). So one process per Redis (and key prefix) runs
 * sandboxes: it holds a claim (host, pid, token; PX, renewed), and a second one refuses to start
 * with a sentence. A claim left by a process that died on this host is taken over at once;
 * one from another host once it expires (CLAIM_TTL_MS).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { heldByDeadProcess, releaseHeld, renewHeld } from './held-key';

export const CLAIM_TTL_MS = 15_000;

export class SandboxesInUseError extends Error {}

/** Claims the sandboxes of this Redis for this process, or throws SandboxesInUseError. */
export async function claimSandboxes(redis: Redis, key: string, ttlMs = CLAIM_TTL_MS): Promise<{ release(): Promise<void> }> {
  const me = `${hostname()} ${process.pid} ${randomUUID()}`;
  for (let attempt = 0; ; attempt++) {
    if ((await redis.set(key, me, 'PX', ttlMs, 'NX')) === 'OK') break;
    const holder = await redis.get(key);
    if (holder === null) continue; // it just expired
    const [host, pid] = holder.split(' ');
    if (attempt === 0 && heldByDeadProcess(holder)) {
      await releaseHeld(redis, key, holder); // left by a process that died here
      continue;
    }
    throw new SandboxesInUseError(
      `another Stockline process with sandbox channels (host ${host}, pid ${pid}) uses this Redis: sandboxes keep their listings in that process's memory, so two would each show about half the changes. Stop it, or give this one its own Redis (STOCKLINE_REDIS_URL), or connect real channels.`,
    );
  }
  const timer = setInterval(() => void renewHeld(redis, key, me, ttlMs).catch(() => undefined), Math.floor(ttlMs / 3));
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await releaseHeld(redis, key, me).catch(() => undefined);
    },
  };
}
