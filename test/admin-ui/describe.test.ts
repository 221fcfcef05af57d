import { describe, expect, it } from 'vitest';
import { auditWhen, describeAudit } from '../../admin-ui/src/lib/describe';
import { orderLabel, plainError } from '../../admin-ui/src/lib/format';
import type { AuditEntry } from '../../admin-ui/src/api/types';
import { auditItems } from './support/fixtures';

describe('describeAudit', () => {
  it('reads a marketplace sale as a sentence with availability before and after', () => {
    expect(describeAudit(auditItems[0]!)).toBe('Amazon order 123-4567890-1234567 sold 2 × TSHIRT-M; available 7 → 5');
  });

  it('says a sale converted its own hold, and what it did to an oversell', () => {
    const sale = (over: Partial<AuditEntry>): AuditEntry => ({
      id: '9-0',
      type: 'order.confirmed',
      source: 'amazon',
      orderId: '113-9860203-0000006',
      at: '2026-11-23T03:00:00Z',
      lines: [{ sku: 'A20-5', qty: 1, before: { onHand: 1, committed: 1, reserved: 1 }, after: { onHand: 1, committed: 2, reserved: 0 } }],
      ...over,
    });
    // Was: "sold 1 × A20-5; available −1 → −1", as if the sale had changed nothing.
    expect(describeAudit(sale({ reservationId: 'amz-hold' }))).toBe('Amazon order 113-9860203-0000006 sold 1 × A20-5 it held; available -1 → -1');
    expect(describeAudit(sale({ incidents: { opened: ['inc-12'], recorded: ['inc-12'] } }))).toBe(
      'Amazon order 113-9860203-0000006 sold 1 × A20-5; available -1 → -1 — oversold: incident inc-12 opened, paused on every channel',
    );
    expect(describeAudit(sale({ incidents: { recorded: ['inc-12'] } }))).toMatch(/— oversold: added to incident inc-12$/);
    expect(describeAudit({ ...sale({ incidents: { resolved: ['inc-12'] } }), type: 'order.cancelled' })).toMatch(/was cancelled, returning 1 × A20-5; .* — oversell resolved \(incident inc-12\), relisted$/);
    expect(describeAudit({ ...sale({ incidents: { resolved: ['inc-12'] } }), type: 'stock.received', source: 'manual', orderId: undefined })).toMatch(/^Manual received 1 × A20-5; .* — oversell resolved \(incident inc-12\), relisted$/);
  });

  it('reads a checkout reservation', () => {
    expect(describeAudit(auditItems[1]!)).toBe('WooCommerce reserved 2 × TSHIRT-M; available 9 → 7');
  });

  it('reads a channel acknowledgement', () => {
    expect(describeAudit(auditItems[2]!)).toBe('Shopify confirmed TSHIRT-M = 7');
  });

  it('reads a manual adjustment with its reason', () => {
    expect(describeAudit(auditItems[3]!)).toBe('Manual adjustment of MUG-RED: on hand 18 → 22; available 14 → 18 (reason: Cycle count)');
  });

  it('reads an expired hold and a multi-SKU order', () => {
    expect(
      describeAudit({
        id: '1-0',
        type: 'stock.released',
        source: 'woocommerce',
        reason: 'expired',
        at: '2026-11-23T03:00:00Z',
        lines: [{ sku: 'MUG-RED', before: { onHand: 5, committed: 0, reserved: 1 }, after: { onHand: 5, committed: 0, reserved: 0 } }],
      }),
    ).toBe('A hold on MUG-RED expired; available 4 → 5');
    expect(
      describeAudit({
        id: '2-0',
        type: 'order.confirmed',
        source: 'shopify',
        orderId: '#1044',
        at: '2026-11-23T03:00:00Z',
        lines: [
          { sku: 'A', qty: 1, before: { onHand: 3, committed: 0, reserved: 0 }, after: { onHand: 3, committed: 1, reserved: 0 } },
          { sku: 'B', qty: 2, before: { onHand: 5, committed: 1, reserved: 0 }, after: { onHand: 5, committed: 3, reserved: 0 } },
        ],
      }),
    ).toBe('Shopify order #1044 sold 1 × A, 2 × B; available A 3 → 2, B 4 → 2');
  });

  it('names a WooCommerce order by its number, not by the site id the plugin puts before it', () => {
    const sold = (orderId: string) =>
      describeAudit({
        id: '3-0',
        type: 'order.confirmed',
        source: 'woocommerce',
        orderId,
        at: '2026-11-23T03:00:00Z',
        lines: [{ sku: 'CUP', qty: 1, before: { onHand: 3, committed: 0, reserved: 0 }, after: { onHand: 3, committed: 1, reserved: 0 } }],
      });
    expect(sold('wca9e66cba:4086')).toBe('WooCommerce order #4086 sold 1 × CUP; available 3 → 2');
    expect(sold('wca9e66cba:4086.2')).toBe('WooCommerce order #4086.2 sold 1 × CUP; available 3 → 2');
  });

  it("names a marketplace order by the channel's own id, whole, without the channel prefix the companion adds", () => {
    const sold = (source: string, orderId: string) =>
      describeAudit({
        id: '4-0',
        type: 'order.confirmed',
        source,
        orderId,
        at: '2026-11-23T03:00:00Z',
        lines: [{ sku: 'CUP', qty: 1, before: { onHand: 3, committed: 0, reserved: 0 }, after: { onHand: 3, committed: 1, reserved: 0 } }],
      });
    expect(sold('flipkart', 'flipkart:OD330912881456732100')).toBe('Flipkart order OD330912881456732100 sold 1 × CUP; available 3 → 2');
    expect(sold('amazon', 'amazon:402-8817261-5521930')).toBe('Amazon order 402-8817261-5521930 sold 1 × CUP; available 3 → 2');
    expect(sold('shopify', 'shopify:5678901234567')).toBe('Shopify order 5678901234567 sold 1 × CUP; available 3 → 2');
  });

  it('reads a refused push with the channel reason', () => {
    expect(
      describeAudit({ id: '3-0', type: 'channel.failed', channel: 'flipkart', reason: 'HTTP 503', at: '2026-11-23T03:00:00Z', lines: [{ sku: 'MUG-RED', quantity: 4 }] }),
    ).toBe('Flipkart did not accept MUG-RED = 4 — HTTP 503');
  });
});

describe('auditWhen', () => {
  const now = Date.parse('2026-11-25T02:30:43Z');
  it('gives the time an entry happened, not when it was delivered, and says how late it was recorded', () => {
    // Placed 02:27:56 while the companion was down, recorded 02:30:06 once it was back.
    expect(auditWhen({ occurredAt: '2026-11-25T02:27:56Z', at: '2026-11-25T02:30:06Z' }, now)).toEqual({
      happenedAt: '2026-11-25T02:27:56Z',
      happened: 'happened 2 min ago',
      recorded: 'recorded 37 s ago, 2 minutes later',
    });
  });

  it('gives one time for an entry recorded within a minute, or one without occurredAt', () => {
    expect(auditWhen({ occurredAt: '2026-11-25T02:29:10Z', at: '2026-11-25T02:30:06Z' }, now)).toEqual({ happenedAt: '2026-11-25T02:29:10Z', happened: '1 min ago', recorded: null });
    expect(auditWhen({ at: '2026-11-25T02:30:06Z' }, now)).toEqual({ happenedAt: '2026-11-25T02:30:06Z', happened: '37 s ago', recorded: null });
  });
});

describe('orderLabel', () => {
  it('gives a WooCommerce order its number, from the plugin or from the companion\'s own WooCommerce poller', () => {
    expect(orderLabel('wca9e66cba:4086')).toBe('#4086');
    expect(orderLabel('woocommerce:wca9e66cba:4086')).toBe('#4086');
  });

  it("gives a marketplace order the channel's own id without its prefix, and shortens only a very long id, keeping both ends", () => {
    expect(orderLabel('flipkart:OD330912881456732100')).toBe('OD330912881456732100');
    expect(orderLabel('amazon:402-8817261-5521930')).toBe('402-8817261-5521930');
    expect(orderLabel('shopify:5678901234567')).toBe('5678901234567');
    expect(orderLabel('shopify:gid://shopify/Order/5678901234567')).toBe('gid://shopify…901234567');
    expect(orderLabel('shopify:gid://shopify/Order/5678901234567', { whole: true })).toBe('gid://shopify/Order/5678901234567');
    expect(orderLabel('flipkart:OD330912881', { whole: true })).toBe('OD330912881');
  });
});

describe('plainError', () => {
  it('says a WooCommerce product does not count its stock, rather than that the channel has no listing', () => {
    // The plugin's not_found for a product whose "Manage stock?" is unticked (re-test: the row read "no listing").
    expect(plainError('“Mug” (SKU MUG-1) does not manage its stock in WooCommerce ("Manage stock?" is unticked), so the store takes no quantity for it', 'not_found')).toBe(
      'The product does not manage its stock in WooCommerce ("Manage stock?" is unticked).',
    );
    expect(plainError('The stock of SKU T-M is counted under its parent\'s SKU T', 'not_found')).toBe("The product's stock is counted under its parent product in WooCommerce.");
    expect(plainError('SKU X is not listed on Shopify', 'not_found')).toBe('The channel has no listing for this SKU.');
  });
});
