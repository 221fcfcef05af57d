/**
 * SKU → channel listing check: resolves every ledger SKU on every channel (adapter.resolve,
 * which caches ids) and keeps the answer per channel — how many are listed and which are not —
 * so a person sees unmapped SKUs before they turn into not_found dead letters.
 */
import type { SyncCore } from './core';

export interface MappingReport {
  channels: Record<string, { listed: number; notListed: string[] }>;
  checkedAt: string | null;
}

const RESOLVE_CHUNK = 100;

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
      await Promise.all(
        core.adapters.map(async (adapter) => {
          let listed = 0;
          const notListed: string[] = [];
          for (let i = 0; i < skus.length; i += RESOLVE_CHUNK) {
            const chunk = skus.slice(i, i + RESOLVE_CHUNK);
            const refs = await adapter.resolve(chunk);
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
