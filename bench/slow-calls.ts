import type { Redis } from 'ioredis';

/**
 * Redis' own slow log around a phase: every call that ran over 1 ms inside Redis (a group of
 * events stalled by, say, a keyspace table doubling), so a p99 can be told apart into Redis-side
 * stalls and stalls on this side (loopDelayMaxMs). The setting is put back afterwards.
 */
export async function slowCalls(redis: Redis) {
  const [, was] = (await redis.config('GET', 'slowlog-log-slower-than')) as string[];
  const [, wasLen] = (await redis.config('GET', 'slowlog-max-len')) as string[];
  await redis.config('SET', 'slowlog-log-slower-than', '1000');
  await redis.config('SET', 'slowlog-max-len', '100000'); // the default 128 would cap the count
  await redis.slowlog('RESET');
  return {
    async read() {
      const entries = (await redis.slowlog('GET', '-1')) as [number, number, number, string[]][];
      await redis.config('SET', 'slowlog-log-slower-than', was ?? '10000');
      await redis.config('SET', 'slowlog-max-len', wasLen ?? '128');
      const ms = entries.map((e) => e[2] / 1000).sort((a, b) => b - a);
      return { over1ms: ms.length, slowestMs: ms.slice(0, 5).map((m) => Math.round(m * 100) / 100) };
    },
  };
}

