/**
 * Starts one private, throw-away Redis for the whole run (or uses STOCKLINE_TEST_REDIS_URL) and
 * hands its URL to the tests through `inject('redisUrl')`. Tests isolate themselves with a
 * random key prefix (test/support/redis.ts), so suites run in parallel on one server.
 */
import type { TestProject } from 'vitest/node';
import { startThrowawayRedis } from '../../scripts/lib/throwaway-redis.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const given = process.env.STOCKLINE_TEST_REDIS_URL;
  if (given) {
    project.provide('redisUrl', given);
    return;
  }
  const redis = await startThrowawayRedis({ name: 'test' });
  process.env.STOCKLINE_TEST_REDIS_URL = redis.url;
  project.provide('redisUrl', redis.url);
  return () => redis.stop();
}
