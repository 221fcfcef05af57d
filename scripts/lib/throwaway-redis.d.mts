// Types for throwaway-redis.mjs, so the TypeScript test harness and benchmarks can import it.
import type { Redis } from 'ioredis';

export function freePort(): Promise<number>;
export function startThrowawayRedis(opts?: { name?: string; persistent?: boolean }): Promise<{ url: string; port: number; dir: string; stop(): Promise<void> }>;
export function unlinkPrefix(redis: Redis, prefix: string): Promise<void>;
