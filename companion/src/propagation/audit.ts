/**
 * Channel entries in the tenant's audit stream (keys.audit): `channel.push` before a call,
 * `channel.ack` for what the channel acknowledged, `channel.failed` with the reason. Same
 * format as the ledger's entries (field `e` = JSON of the AuditEntry minus its id).
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../ledger/keys';

export type ChannelAuditType = 'channel.push' | 'channel.ack' | 'channel.failed';

export interface ChannelAuditLine {
  sku: string;
  quantity?: number;
  version?: number;
}

export async function appendChannelAudit(
  redis: Redis,
  keys: Keys,
  tenant: string,
  type: ChannelAuditType,
  channel: string,
  lines: ChannelAuditLine[],
  reason?: string,
): Promise<void> {
  if (!lines.length) return;
  const entry = { type, channel, at: new Date().toISOString(), lines, ...(reason ? { reason } : {}) };
  await redis.xadd(keys.audit(tenant), '*', 'e', JSON.stringify(entry));
}

/** A push item as an audit line (what was sent, of which ledger version). */
export const auditLine = (i: { sku: string; quantity: number; version: number }): ChannelAuditLine => ({ sku: i.sku, quantity: i.quantity, version: i.version });
