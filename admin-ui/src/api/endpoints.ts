/** One typed function per route the page uses, so views never spell a URL. */
import { companion, plugin } from './client';
import type {
  AdjustRequest,
  AdminSettings,
  AdminSettingsUpdate,
  AdminStatus,
  AuditEntry,
  ChannelHealth,
  DeadLetter,
  ImportStatus,
  Incident,
  LiveCheck,
  OutOfStepPage,
  Mapping,
  OutboxRetryResult,
  Page,
  Rule,
  Rules,
  StockState,
  SyncItem,
  TestConnectionResult,
} from './types';

const sku = (s: string) => encodeURIComponent(s);

export interface AuditFilters {
  sku?: string;
  orderId?: string;
  type?: string;
  channel?: string;
  from?: string;
  to?: string;
}

export const api = {
  status: () => plugin.get<AdminStatus>('admin/status'),
  settings: () => plugin.get<AdminSettings>('admin/settings'),
  saveSettings: (update: AdminSettingsUpdate) => plugin.post<AdminSettings>('admin/settings', update),
  testConnection: () => plugin.post<TestConnectionResult>('admin/test-connection'),
  importStatus: () => plugin.get<ImportStatus>('admin/import'),
  startImport: () => plugin.post<ImportStatus>('admin/import'),
  /** Sends set-aside store changes again (failed, refused, or both), with their ids. */
  retryOutbox: (status?: 'failed' | 'refused') => plugin.post<OutboxRetryResult>('admin/outbox/retry', status ? { status } : {}),
  /** The owner has dealt with the refused store changes: stop showing them. */
  dismissRefused: () => plugin.post<{ dismissed: number }>('admin/outbox/dismiss'),
  /** The plugin signs this as a `stock.adjusted` event; the browser cannot sign. */
  adjust: (req: AdjustRequest) => plugin.post<unknown>('admin/adjust', req),

  channels: () => companion.get<{ channels: ChannelHealth[] }>('v1/channels'),
  stock: (q: { prefix?: string; cursor?: string | null; limit?: number }) =>
    companion.get<Page<StockState> & { total?: number }>('v1/stock', { prefix: q.prefix, cursor: q.cursor, limit: q.limit }),
  sync: (skus: string[]) => companion.get<{ items: SyncItem[] }>('v1/sync', { skus: skus.join(',') }),
  /** SKUs some channel does not show what it should (at most 5,000 looked at per call, then a cursor). */
  outOfStep: (q: { prefix?: string; cursor?: string | null; limit?: number }) =>
    companion.get<OutOfStepPage>('v1/sync/out-of-step', { prefix: q.prefix, cursor: q.cursor, limit: q.limit }),
  /** Reads each channel now and pushes again where it differs from what it should show. */
  checkChannels: (s: string) => companion.post<LiveCheck>(`v1/sync/${sku(s)}/check`),
  pause: (s: string) => companion.post<StockState>(`v1/stock/${sku(s)}/pause`),
  relist: (s: string) => companion.post<StockState>(`v1/stock/${sku(s)}/relist`),
  audit: (f: AuditFilters & { cursor?: string | null; limit?: number }) =>
    companion.get<Page<AuditEntry>>('v1/audit', { ...f }),
  incidents: (q: { status?: 'open' | 'resolved'; cursor?: string | null; limit?: number } = {}) =>
    companion.get<Page<Incident>>('v1/incidents', q),
  deadLetters: (q: { channel?: string; sku?: string; cursor?: string | null; limit?: number } = {}) =>
    companion.get<Page<DeadLetter>>('v1/dead-letters', q),
  retryDeadLetter: (id: string) => companion.post<{ retried: number }>(`v1/dead-letters/${encodeURIComponent(id)}/retry`),
  retryAllDeadLetters: (channel?: string) =>
    companion.post<{ retried: number }>('v1/dead-letters/retry', channel ? { channel } : {}),
  discardDeadLetter: (id: string) => companion.delete<null>(`v1/dead-letters/${encodeURIComponent(id)}`),
  rules: () => companion.get<Rules>('v1/rules'),
  saveChannelRule: (channel: string, rule: Rule) => companion.put<Rule>(`v1/rules/channels/${encodeURIComponent(channel)}`, rule),
  /** Replaces the rule of one SKU on one channel (the fields not sent are no longer set). */
  saveSkuRule: (s: string, channel: string, rule: Rule) => companion.put<Rule>(`v1/rules/skus/${sku(s)}`, { ...rule, channel }),
  mapping: () => companion.get<Mapping>('v1/mapping'),
  refreshMapping: () => companion.post<Mapping>('v1/mapping/refresh'),
};
