/**
 * Every Redis key Stockline uses is built here. All keys of a tenant share the hash tag
 * `{tenant}`, so a ledger script touches one slot and a tenant lives on one Cluster shard.
 * `prefix` isolates deployments and tests (each test uses a random prefix).
 */
export interface KeyOptions {
  prefix: string;
}

export function createKeys({ prefix }: KeyOptions) {
  const t = (tenant: string) => `${prefix}{${tenant}}`;
  return {
    /**
     * Hash per SKU: onHand, committed, reserved, version, updatedAt, paused, incident, lastSetAt
     * and lastSetOf (when and what the last absolute count counted: 'onHand' | 'available').
     */
    sku: (tenant: string, sku: string) => `${t(tenant)}:sku:${sku}`,
    /** Sorted set of all SKUs of the tenant (score 0, lexicographic paging by prefix). */
    skuIndex: (tenant: string) => `${t(tenant)}:skus`,
    /** String: JSON of the first result of an applied event id, kept for the idempotency window. */
    idempotency: (tenant: string, eventId: string) => `${t(tenant)}:idem:${eventId}`,
    /** Hash per reservation: lines JSON, expiresAt (ms), source. */
    reservation: (tenant: string, reservationId: string) => `${t(tenant)}:res:${reservationId}`,
    /** Sorted set reservationId → expiresAt ms, read by the expiry sweeper. */
    reservationExpiry: (tenant: string) => `${t(tenant)}:res-expiry`,
    /** Hash per order: lines JSON (sku → committed qty still open), status, source. */
    order: (tenant: string, orderId: string) => `${t(tenant)}:order:${orderId}`,
    /** Stream: one entry per applied event and per channel push/ack (see schemas/stock.ts AuditEntry). */
    audit: (tenant: string) => `${t(tenant)}:audit`,
    /**
     * Stream: one entry per applied event, fields `event` (id), `type`, `source`,
     * `at` (ms when applied), `skus` (JSON array of SKU strings it changed).
     * Propagation reads it with a consumer group.
     */
    changes: (tenant: string) => `${t(tenant)}:changes`,
    /** Hash incidentId → JSON Incident; sorted set of open incident ids by time. */
    incidents: (tenant: string) => `${t(tenant)}:incidents`,
    openIncidents: (tenant: string) => `${t(tenant)}:incidents:open`,
    /** Counter for incident ids. */
    incidentSeq: (tenant: string) => `${t(tenant)}:incidents:seq`,
    /** Everything propagation keeps for a tenant starts here (dirty sets, last pushed, rules…). */
    propagation: (tenant: string, rest: string) => `${t(tenant)}:sync:${rest}`,
    /** Not tenant-scoped: the set of known tenants (written outside any Lua script). */
    tenants: () => `${prefix}tenants`,
    /** Not tenant-scoped: sweeper leadership lock. */
    sweeperLock: () => `${prefix}sweeper:lock`,
  };
}
export type Keys = ReturnType<typeof createKeys>;
