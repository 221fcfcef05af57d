/** A private Redis for one benchmark run (AOF everysec, as `npm start` runs it), removed after. */
import { startThrowawayRedis } from '../../scripts/lib/throwaway-redis.mjs';

export { freePort } from '../../scripts/lib/throwaway-redis.mjs';

export function startBenchRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  return startThrowawayRedis({ name: 'bench', persistent: true });
}
