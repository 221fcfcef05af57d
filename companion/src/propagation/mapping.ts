/**
 * SKU → channel listing check: resolves every ledger SKU on every channel (adapter.resolve,
 * which caches ids) and keeps the answer per channel — how many are listed and which are not —
 * so a person sees unmapped SKUs before they turn into not_found dead letters.
 */
import { ChannelError } from '../channels/port';
import type { ChannelAdapter, ListingRef } from '../channels/port';
import { ChannelUnavailableError } from '../errors';
import type { SyncCore } from './core';

export interface MappingReport {
  channels: Record<string, { listed: number; notListed: string[] }>;
  checkedAt: string | null;
}

const RESOLVE_CHUNK = 100;
/**
 * A person is waiting for the check (the admin page, through the plugin's proxy that gives up
 * after 10 s): a channel that is throttling or briefly unreachable is asked again, after its own
 * Retry-After or a short backoff, for up to this long in all; then the check says which channel
 * failed instead of answering 500.
 */
const PATIENCE_MS = 8_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function resolvePatiently(adapter: ChannelAdapter, skus: string[], deadline: number): Promise<Map<string, ListingRef | null>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await adapter.resolve(skus);
    } catch (err) {
      const wait = err instanceof ChannelError && err.retryable ? (err.retryAfterMs ?? Math.min(200 * 2 ** attempt, 2_000)) : null;
      if (wait === null || Date.now() + wait > deadline) {
        const why = err instanceof Error ? err.message : String(err);
        throw new ChannelUnavailableError(adapter.id, `the listings check failed: ${why}`);
      }
      await sleep(wait);
    }
  }
}

export function createMapping(core: SyncCore) {
  const { redis, keys } = core.deps;
  const key = (tenant: string) => keys.propagation(tenant, 'mapping');

  return {
    async get(tenant: string): Promise<MappingReport> {
      const raw = await redis.hgetall(key(tenant));
      const channels: MappingReport['channels'] = {};
      for (const ch of core.channelIds) channels[ch] = raw[`channel:${ch}`] ? JSON.parse(raw[`channel:${ch}`]!) : { listed: 0, notListed: [] };
      return { channels, checkedAt: raw.checkedAt ?? null };
    },
    async refresh(tenant: string): Promise<MappingReport> {
      const skus = await core.allSkus(tenant);
      const channels: MappingReport['channels'] = {};
      const deadline = Date.now() + PATIENCE_MS;
      await Promise.all(
        core.adapters.map(async (adapter) => {
          let listed = 0;
          const notListed: string[] = [];
          for (let i = 0; i < skus.length; i += RESOLVE_CHUNK) {
            const chunk = skus.slice(i, i + RESOLVE_CHUNK);
            const refs = await resolvePatiently(adapter, chunk, deadline);
            for (const s of chunk) (refs.get(s) ? listed++ : notListed.push(s));
          }
          channels[adapter.id] = { listed, notListed };
        }),
      );
      const checkedAt = new Date().toISOString();
      const fields: string[] = ['checkedAt', checkedAt];
      for (const [ch, v] of Object.entries(channels)) fields.push(`channel:${ch}`, JSON.stringify(v));
      await redis.hset(key(tenant), ...fields);
      return { channels, checkedAt };
    },
  };
}
