/**
 * Malformed POST /v1/events payloads, each signed correctly, with the status and JSON pointer
 * the API must answer. Built from valid events with one thing broken, so a case that slipped
 * through validation would be applied and show up as a changed ledger.
 */
import { events } from './helpers';

export interface MalformedCase {
  name: string;
  /** A value to JSON-encode, or `raw` bytes sent as they are. */
  body?: unknown;
  raw?: string | Buffer;
  contentType?: string;
  status: 400 | 413 | 415;
  pointer: string;
  /** What the message must say, where the general checks (names the pointer) are not enough. */
  says?: RegExp;
}

const lines = (qty: unknown = 1, extra: Record<string, unknown> = {}) => [{ sku: 'M-1', qty, ...extra }];
const reserve = (o: Record<string, unknown> = {}) => ({ ...events.reserved('cart-m', [{ sku: 'M-1', qty: 1 }]), ...o });
const confirm = (o: Record<string, unknown> = {}) => ({ ...events.confirmed('order-m', [{ sku: 'M-1', qty: 1 }]), ...o });
const receive = (o: Record<string, unknown> = {}) => ({ ...events.received('M-1', 1), ...o });
const adjust = (o: Record<string, unknown> = {}) => {
  const { set: _set, ...rest } = events.set('M-1', 5);
  return { ...rest, ...o };
};
const without = <T extends Record<string, unknown>>(o: T, key: string) => {
  const copy: Record<string, unknown> = { ...o };
  delete copy[key];
  return copy;
};

export function malformedCorpus(): MalformedCase[] {
  const c: MalformedCase[] = [
    // Not JSON, or not an object.
    { name: 'truncated JSON', raw: '{"id": "x", "type": ', status: 400, pointer: '' },
    { name: 'plain text sent as JSON', raw: 'reserve two of M-1 please', status: 400, pointer: '' },
    { name: 'text that looks like a server error', raw: 'ECONNREFUSED Connection is closed', status: 400, pointer: '' },
    { name: 'single-quoted JSON', raw: "{'id': 'x'}", status: 400, pointer: '' },
    { name: 'trailing comma', raw: '{"id": "x",}', status: 400, pointer: '' },
    { name: 'an empty body', raw: '', status: 400, pointer: '' },
    { name: 'a JSON array', raw: '[]', status: 400, pointer: '' },
    { name: 'a JSON string', raw: '"stock.received"', status: 400, pointer: '' },
    { name: 'JSON null', raw: 'null', status: 400, pointer: '', says: /is null — send one event/ },
    { name: 'a JSON number', raw: '42', status: 400, pointer: '' },
    { name: 'a __proto__ key', raw: '{"__proto__": {"admin": true}, "id": "x"}', status: 400, pointer: '', says: /key named __proto__.*rename or remove it/ },
    { name: 'bytes that are not UTF-8 JSON', raw: Buffer.from([0xff, 0xfe, 0x7b, 0x00]), status: 400, pointer: '', says: /not UTF-8/ },
    {
      name: 'an event whose id is not UTF-8',
      raw: Buffer.concat([Buffer.from('{"id":"'), Buffer.from([0xc3, 0x28]), Buffer.from(JSON.stringify(receive()).slice(8))]),
      status: 400,
      pointer: '',
      says: /not UTF-8/,
    },
    { name: 'a text/plain body', raw: JSON.stringify(receive()), contentType: 'text/plain', status: 415, pointer: '' },
    // The fields every event has.
    { name: 'no id', body: without(receive(), 'id'), status: 400, pointer: '/id' },
    { name: 'an empty id', body: receive({ id: '' }), status: 400, pointer: '/id' },
    { name: 'an id with a space', body: receive({ id: 'order 1' }), status: 400, pointer: '/id' },
    { name: 'an id of 129 characters', body: receive({ id: 'x'.repeat(129) }), status: 400, pointer: '/id' },
    { name: 'a numeric id', body: receive({ id: 12345 }), status: 400, pointer: '/id' },
    { name: 'an unknown type', body: receive({ type: 'stock.teleported' }), status: 400, pointer: '/type' },
    { name: 'no type', body: without(receive(), 'type'), status: 400, pointer: '/type' },
    { name: 'a numeric type', body: receive({ type: 7 }), status: 400, pointer: '/type' },
    { name: 'no source', body: without(receive(), 'source'), status: 400, pointer: '/source' },
    { name: 'an upper-case source', body: receive({ source: 'WooCommerce' }), status: 400, pointer: '/source' },
    { name: 'a source that is no channel of this companion', body: receive({ source: 'ebay' }), status: 400, pointer: '/source' },
    { name: 'the sweeper\'s own source', body: receive({ source: 'system' }), status: 400, pointer: '/source' },
    { name: 'no occurredAt', body: without(receive(), 'occurredAt'), status: 400, pointer: '/occurredAt' },
    { name: 'occurredAt in words', body: receive({ occurredAt: 'yesterday' }), status: 400, pointer: '/occurredAt' },
    { name: 'occurredAt without a time zone', body: receive({ occurredAt: '2026-11-23T10:00:00' }), status: 400, pointer: '/occurredAt' },
    { name: 'occurredAt on 30 February', body: receive({ occurredAt: '2026-02-30T10:00:00Z' }), status: 400, pointer: '/occurredAt' },
    { name: 'occurredAt as epoch milliseconds', body: receive({ occurredAt: 1795400000000 }), status: 400, pointer: '/occurredAt' },
    { name: 'occurredAt as a date only', body: receive({ occurredAt: '2026-11-23' }), status: 400, pointer: '/occurredAt' },
    // A count dated ahead would make the SKU's later receipts look stale until then.
    { name: 'occurredAt an hour ahead of the clock', body: adjust({ set: 5, occurredAt: new Date(Date.now() + 3_600_000).toISOString() }), status: 400, pointer: '/occurredAt' },
    {
      name: 'a batch whose second event is dated in the year 2999',
      body: { events: [receive(), receive({ occurredAt: '2999-01-01T00:00:00Z' })] },
      status: 400,
      pointer: '/events/1/occurredAt',
    },
    { name: 'an extra top-level field', body: receive({ color: 'red' }), status: 400, pointer: '/color' },
    { name: 'an extra nested object', body: receive({ meta: { deep: [1, { x: 2 }] } }), status: 400, pointer: '/meta' },
    // Lines and quantities.
    { name: 'a reservation without lines', body: without(reserve(), 'lines'), status: 400, pointer: '/lines' },
    { name: 'empty lines', body: reserve({ lines: [] }), status: 400, pointer: '/lines' },
    { name: 'lines as an object', body: reserve({ lines: { 'M-1': 1 } }), status: 400, pointer: '/lines' },
    { name: 'a zero quantity', body: reserve({ lines: lines(0) }), status: 400, pointer: '/lines/0/qty' },
    { name: 'a negative quantity', body: reserve({ lines: lines(-2) }), status: 400, pointer: '/lines/0/qty' },
    { name: 'a fractional quantity', body: reserve({ lines: lines(1.5) }), status: 400, pointer: '/lines/0/qty' },
    { name: 'a quantity as a string', body: reserve({ lines: lines('2') }), status: 400, pointer: '/lines/0/qty' },
    { name: 'a quantity over a million', body: reserve({ lines: lines(10_000_000) }), status: 400, pointer: '/lines/0/qty' },
    { name: 'a null quantity', body: reserve({ lines: lines(null) }), status: 400, pointer: '/lines/0/qty' },
    {
      name: 'a quantity that overflows to Infinity',
      raw: JSON.stringify(reserve()).replace('"qty":1', '"qty":1e400'),
      status: 400,
      pointer: '/lines/0/qty',
    },
    { name: 'a line without a sku', body: reserve({ lines: [{ qty: 1 }] }), status: 400, pointer: '/lines/0/sku' },
    { name: 'an empty sku', body: reserve({ lines: [{ sku: '', qty: 1 }] }), status: 400, pointer: '/lines/0/sku' },
    { name: 'a sku with a leading space', body: reserve({ lines: [{ sku: ' M-1', qty: 1 }] }), status: 400, pointer: '/lines/0/sku' },
    {
      name: 'a sku with a control character',
      body: reserve({ lines: [{ sku: 'M\u00001', qty: 1 }] }),
      status: 400,
      pointer: '/lines/0/sku',
    },
    { name: 'a sku of 101 characters', body: reserve({ lines: [{ sku: 'S'.repeat(101), qty: 1 }] }), status: 400, pointer: '/lines/0/sku' },
    { name: 'a line with a price', body: reserve({ lines: lines(1, { price: 9.99 }) }), status: 400, pointer: '/lines/0/price' },
    { name: 'a line as a string', body: reserve({ lines: ['M-1:1'] }), status: 400, pointer: '/lines/0' },
    {
      name: 'a bad third line',
      body: reserve({ lines: [...lines(), { sku: 'M-2', qty: 1 }, { sku: 'M-3', qty: -1 }] }),
      status: 400,
      pointer: '/lines/2/qty',
    },
    {
      name: '501 lines',
      body: reserve({ lines: Array.from({ length: 501 }, (_, i) => ({ sku: `L-${i}`, qty: 1 })) }),
      status: 400,
      pointer: '/lines',
    },
    {
      name: 'a duplicated key whose last value is bad',
      raw: JSON.stringify(receive()).replace('"qty":1', '"qty":1,"qty":0'),
      status: 400,
      pointer: '/qty',
    },
    // Per type.
    { name: 'a reservation without reservationId', body: without(reserve(), 'reservationId'), status: 400, pointer: '/reservationId' },
    { name: 'a reservation without ttlSeconds', body: without(reserve(), 'ttlSeconds'), status: 400, pointer: '/ttlSeconds' },
    { name: 'a zero ttlSeconds', body: reserve({ ttlSeconds: 0 }), status: 400, pointer: '/ttlSeconds' },
    { name: 'a ttlSeconds over a week', body: reserve({ ttlSeconds: 10_000_000 }), status: 400, pointer: '/ttlSeconds' },
    { name: 'a release without reason', body: without(events.released('cart-m'), 'reason'), status: 400, pointer: '/reason' },
    { name: 'a release with an empty reason', body: events.released('cart-m', { reason: '' }), status: 400, pointer: '/reason' },
    { name: 'an order without orderId', body: without(confirm(), 'orderId'), status: 400, pointer: '/orderId' },
    { name: 'an orderId with spaces', body: confirm({ orderId: 'order 12' }), status: 400, pointer: '/orderId' },
    { name: 'an order with a bad reservationId', body: confirm({ reservationId: 'cart m' }), status: 400, pointer: '/reservationId' },
    { name: "an order whose backorder is a string ('yes')", body: confirm({ backorder: 'yes' }), status: 400, pointer: '/backorder' },
    { name: 'a cancellation with a numeric orderId', body: events.cancelled('x', { orderId: 77 }), status: 400, pointer: '/orderId' },
    { name: 'a shipment with empty lines', body: events.shipped('order-m', { lines: [] }), status: 400, pointer: '/lines' },
    { name: 'a receipt of zero units', body: receive({ qty: 0 }), status: 400, pointer: '/qty' },
    { name: 'a receipt without sku', body: without(receive(), 'sku'), status: 400, pointer: '/sku' },
    { name: 'a receipt with lines', body: receive({ lines: lines() }), status: 400, pointer: '/lines' },
    { name: 'an adjustment with both set and delta', body: adjust({ set: 5, delta: 1 }), status: 400, pointer: '/delta' },
    { name: 'an adjustment with neither set nor delta', body: adjust(), status: 400, pointer: '/set' },
    { name: 'an adjustment by zero', body: adjust({ delta: 0 }), status: 400, pointer: '/delta' },
    { name: 'a delta with a basis', body: adjust({ delta: 2, basis: 'available' }), status: 400, pointer: '/basis' },
    { name: 'a set counting something unknown', body: adjust({ set: 2, basis: 'sellable' }), status: 400, pointer: '/basis' },
    { name: 'a negative set', body: adjust({ set: -1 }), status: 400, pointer: '/set' },
    { name: 'a fractional set', body: adjust({ set: 1.5 }), status: 400, pointer: '/set' },
    { name: 'a set as a string', body: adjust({ set: '5' }), status: 400, pointer: '/set' },
    { name: 'a negative expectedVersion', body: adjust({ set: 5, expectedVersion: -1 }), status: 400, pointer: '/expectedVersion' },
    { name: 'an expectedVersion as a string', body: adjust({ set: 5, expectedVersion: '3' }), status: 400, pointer: '/expectedVersion' },
    { name: 'an adjustment without reason', body: without(adjust({ set: 5 }), 'reason'), status: 400, pointer: '/reason' },
    // Batches.
    { name: 'events that are not a list', body: { events: receive() }, status: 400, pointer: '/events' },
    { name: 'an empty batch', body: { events: [] }, status: 400, pointer: '/events' },
    { name: 'a batch with an extra field', body: { events: [receive()], dryRun: true }, status: 400, pointer: '/dryRun' },
    {
      name: 'a batch whose fourth event has a bad quantity',
      body: { events: [receive(), receive(), receive(), reserve({ lines: lines(0) })] },
      status: 400,
      pointer: '/events/3/lines/0/qty',
    },
    { name: 'a batch with a null event', body: { events: [receive(), null] }, status: 400, pointer: '/events/1' },
    {
      name: 'a batch with an unknown type',
      body: { events: [receive(), receive(), receive({ type: 'order.refunded' })] },
      status: 400,
      pointer: '/events/2/type',
    },
    { name: 'a batch inside a batch', body: { events: [{ events: [receive()] }] }, status: 400, pointer: '/events/0/type' },
    {
      name: 'a line nested 20,000 arrays deep',
      raw: JSON.stringify(reserve({ lines: ['@'] })).replace('"@"', '['.repeat(20_000) + ']'.repeat(20_000)),
      status: 400,
      pointer: '/lines/0',
    },
    // A tenant that is not a tenant name cannot have a secret: the body is judged, not the signature.
    { name: 'a tenant name with spaces and capitals', body: receive({ tenant: 'My Shop' }), status: 400, pointer: '/tenant' },
    { name: 'an empty tenant', body: receive({ tenant: '' }), status: 400, pointer: '/tenant' },
    { name: 'a tenant given as a number', body: receive({ tenant: 7 }), status: 400, pointer: '/tenant' },
    { name: 'a batch whose first event names an invalid tenant', body: { events: [receive({ tenant: 'a/b' }), receive()] }, status: 400, pointer: '/events/0/tenant' },
    { name: 'a batch of 501 events', body: { events: Array.from({ length: 501 }, () => receive()) }, status: 413, pointer: '/events' },
    { name: 'a body over 1 MB', body: receive({ reason: 'x'.repeat(1_100_000) }), status: 413, pointer: '' },
  ];
  return c;
}
