/** A connection to the run's test Redis plus a random key prefix, removed after the test. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { unlinkPrefix } from '../../scripts/lib/throwaway-redis.mjs';

export interface TestRedis {
  url: string;
  redis: Redis;
  prefix: string;
  /** A fresh connection (BullMQ workers need their own). */
  connect(): Redis;
  cleanup(): Promise<void>;
}

export async function createTestRedis(): Promise<TestRedis> {
  const url = inject('redisUrl');
  const prefix = `t${randomBytes(6).toString('hex')}:`;
  const conns: Redis[] = [];
  const connect = () => {
    const c = new Redis(url, { maxRetriesPerRequest: null });
    conns.push(c);
    return c;
  };
  const redis = connect();
  return {
    url,
    redis,
    prefix,
    connect,
    async cleanup() {
      await unlinkPrefix(redis, prefix);
      await Promise.all(conns.map((c) => c.quit().catch(() => c.disconnect())));
    },
  };
}
