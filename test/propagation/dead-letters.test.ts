import { describe, expect, it } from 'vitest';
import type { StockEvent } from '../../companion/src/schemas/events';
import { setShown } from '../../companion/src/propagation/sync-keys';
import { auth, ev, TENANT, useFixtures } from './helpers';

const received = (sku: string, qty: number, id = `rcv-${sku}-${Math.random()}`) =>
  ({ id, type: 'stock.received', source: 'woocommerce', occurredAt: new Date().toISOString(), sku, qty }) as StockEvent;

describe('dead letters', () => {
  const openFixture = useFixtures();

  it('dead-letters a push the channel refuses for good, with its reason, and a retry from the API delivers it', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const [a, b] = fx.fakes as [typeof fx.fakes[0], typeof fx.fakes[0]];
    for (const f of fx.fakes) f.seed([{ sku: 'BAD', quantity: 0 }, { sku: 'GOOD', quantity: 0 }]);
    a.setFaults({ rejectSkus: { BAD: 'title is too long for this marketplace' } });
    await fx.start();
    const app = await fx.app();
    await fx.ledger.applyBatch([received('BAD', 5), received('GOOD', 3)]);
    await fx.settled();

    expect(a.quantities()).toEqual({ BAD: 0, GOOD: 3 });
    expect(b.quantities()).toEqual({ BAD: 5, GOOD: 3 });
    const list = await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth });
    expect(list.statusCode).toBe(200);
    const { items } = list.json() as { items: { id: string; channel: string; sku: string; error: string; code: string; attempts: number }[] };
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ channel: 'fake-a', sku: 'BAD', code: 'validation', error: 'title is too long for this marketplace', attempts: 1 });

    // The audit says what was pushed and why it failed, readable through the ledger's audit API.
    const failed = await fx.ledger.listAudit(TENANT, { channel: 'fake-a', type: 'channel.failed' });
    expect(failed.items).toHaveLength(1);
    expect(failed.items[0]!.reason).toContain('title is too long');
    expect(failed.items[0]!.lines).toEqual([expect.objectContaining({ sku: 'BAD', quantity: 5 })]);
    const pushes = await fx.ledger.listAudit(TENANT, { channel: 'fake-a', type: 'channel.push' });
    expect(pushes.items.flatMap((e) => e.lines.map((l) => l.sku)).sort()).toEqual(['BAD', 'GOOD']);

    // Kept: nothing retries it on its own, it does not expire.
    await fx.settled();
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters?channel=fake-a', headers: auth })).json().items).toHaveLength(1);

    a.setFaults({ rejectSkus: {} });
    const retry = await app.inject({ method: 'POST', url: `/v1/dead-letters/${items[0]!.id}/retry`, headers: auth });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual({ retried: 1 });
    await fx.settled();
    expect(a.quantities().BAD).toBe(5);
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items).toEqual([]);
  });

  it('pushes a retried letter whatever was last accepted there: a channel that changed the SKU behind Stockline\'s back gets the number again', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const [a] = fx.fakes as [typeof fx.fakes[0]];
    a.seed([{ sku: 'X', quantity: 0 }]);
    a.setFaults({ rejectSkus: { X: 'listing is locked' } });
    await fx.start();
    const app = await fx.app();
    await fx.ledger.apply(received('X', 7)); // refused: a letter
    await fx.settled();
    const [letter] = (await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items as { id: string }[];
    expect(letter).toBeDefined();
    // Stockline then records the channel as showing 7 (a sandbox relisted at start does so,
    // sync-keys.ts setShown) while the channel itself shows 0.
    const v = (await fx.ledger.getStock(TENANT, 'X'))!.version;
    await setShown(fx.t.redis, fx.keys, TENANT, 'fake-a', [{ sku: 'X', quantity: 7, version: v }]);
    a.setFaults({ rejectSkus: {} });
    expect((await app.inject({ method: 'POST', url: `/v1/dead-letters/${letter!.id}/retry`, headers: auth })).json()).toEqual({ retried: 1 });
    await fx.settled();
    // Was: "Retrying X" and nothing pushed, the channel left at 0 and the letter "retrying".
    expect(a.quantities().X).toBe(7);
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items).toEqual([]);
  });

  it("finds one SKU's letters without paging through the others (?sku=, with or without ?channel=)", async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    for (const f of fx.fakes) f.seed([{ sku: 'OK', quantity: 0 }]);
    await fx.start();
    const app = await fx.app();
    await fx.ledger.applyBatch(['L-1', 'L-2', 'L-3'].map((sku) => received(sku, 1)));
    await fx.settled(); // unlisted on both channels: six letters
    const get = async (q: string) => (await app.inject({ method: 'GET', url: `/v1/dead-letters?${q}`, headers: auth })).json();
    expect((await get('limit=50')).items).toHaveLength(6);
    const one = await get('sku=L-2');
    expect(one.items.map((l: { channel: string; sku: string }) => `${l.channel}:${l.sku}`).sort()).toEqual(['fake-a:L-2', 'fake-b:L-2']);
    expect(one.nextCursor).toBeNull();
    expect((await get('sku=L-2&channel=fake-b')).items.map((l: { channel: string }) => l.channel)).toEqual(['fake-b']);
    expect((await get('sku=OK')).items).toEqual([]);
  });

  it('dead-letters an unlisted SKU as not_found and counts each failed attempt; retry-all and discard work', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'LISTED', quantity: 0 }]);
    await fx.start();
    const app = await fx.app();
    await fx.ledger.apply(received('UNLISTED', 2));
    await fx.settled();
    // Parked: a later change is not pushed to a channel that has no listing for it.
    await fx.ledger.apply(received('UNLISTED', 1));
    await fx.settled();
    let items = (await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ sku: 'UNLISTED', code: 'not_found', attempts: 1 });

    // A cursor that no page handed out is named, not read as the first page.
    const badCursor = await app.inject({ method: 'GET', url: '/v1/dead-letters?cursor=zz', headers: auth });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toMatchObject({ pointer: '/cursor' });
    // A body that is not {channel?} is named field by field, and retries nothing.
    for (const [payload, pointer] of [[{ channel: 5 }, '/channel'], [{ chanel: 'fake-a' }, '/chanel']] as const) {
      const bad = await app.inject({ method: 'POST', url: '/v1/dead-letters/retry', headers: auth, payload });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'invalid_request', pointer, message: expect.stringContaining(pointer.slice(1)) });
    }
    // Still unlisted: retry-all tries again and the letter stays, one attempt more.
    const all = await app.inject({ method: 'POST', url: '/v1/dead-letters/retry', headers: auth, payload: { channel: 'fake-a' } });
    expect(all.json()).toEqual({ retried: 1 });
    await fx.settled();
    items = (await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items;
    expect(items[0]).toMatchObject({ attempts: 2 });

    const del = await app.inject({ method: 'DELETE', url: `/v1/dead-letters/${items[0].id}`, headers: auth });
    expect(del.statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters', headers: auth })).json().items).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters?channel=fake-a', headers: auth })).json().items).toEqual([]);
    expect(await fx.runtimes[0]!.core.dead.count(TENANT, 'fake-a')).toBe(0);
    expect((await app.inject({ method: 'DELETE', url: `/v1/dead-letters/${items[0].id}`, headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters' })).statusCode).toBe(401);
  });

  it('parks an unlisted SKU: its later changes cost the channel no call, until the listings check finds it listed', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'SOLD-HERE', quantity: 0 }]);
    await fx.start();
    const app = await fx.app();
    await fx.ledger.apply(received('NOT-HERE', 2));
    await fx.settled();
    expect(await fx.runtimes[0]!.core.dead.list(TENANT)).toMatchObject({ items: [{ sku: 'NOT-HERE', code: 'not_found', attempts: 1 }] });

    const before = fake.stats().writeCalls;
    for (let i = 0; i < 5; i++) {
      await fx.ledger.apply(received('NOT-HERE', 1));
      await fx.settled();
    }
    await fx.ledger.apply(received('SOLD-HERE', 4));
    await fx.settled();
    // One call: the listed SKU's. The unlisted one's five changes spent nothing.
    expect(fake.stats().writeCalls - before).toBe(1);
    expect(fake.quantities()).toEqual({ 'SOLD-HERE': 4 });
    expect((await fx.runtimes[0]!.core.dead.list(TENANT)).items).toMatchObject([{ sku: 'NOT-HERE', attempts: 1 }]);

    // The merchant lists it; the listings check sees the listing and gives it the current count.
    fake.seed([{ sku: 'NOT-HERE', quantity: 0 }]);
    const check = await app.inject({ method: 'POST', url: '/v1/mapping/refresh', headers: auth });
    expect(check.json()).toMatchObject({ channels: { 'fake-a': { notListed: [] } } });
    await fx.settled();
    expect(fake.quantities()).toEqual({ 'SOLD-HERE': 4, 'NOT-HERE': 7 });
    expect((await fx.runtimes[0]!.core.dead.list(TENANT)).items).toEqual([]);
  });

  it('takes a 0 pushed to a SKU the channel has no listing for as done, not a dead letter: nothing parks it, so once listed again it follows', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'TRASHED', quantity: 0 }]);
    await fx.start();
    await fx.ledger.apply(received('TRASHED', 6));
    await fx.settled();
    expect(fake.quantities()).toEqual({ TRASHED: 6 });
    // The product goes to the store's trash (its listing is gone) and its count to 0.
    fake.unlist(['TRASHED']);
    await fx.ledger.apply({ id: 'trash-1', type: 'stock.adjusted', source: 'woocommerce', occurredAt: new Date().toISOString(), sku: 'TRASHED', set: 0, reason: 'product trashed' } as StockEvent);
    await fx.settled();
    expect((await fx.runtimes[0]!.core.dead.list(TENANT)).items).toEqual([]);
    const acks = await fx.ledger.listAudit(TENANT, { channel: 'fake-a', type: 'channel.ack', sku: 'TRASHED' });
    expect(acks.items[0]).toMatchObject({ reason: expect.stringContaining('not listed'), lines: [expect.objectContaining({ sku: 'TRASHED', quantity: 0 })] });
    // Restored: listed again, and the next count reaches it.
    fake.seed([{ sku: 'TRASHED', quantity: 0 }]);
    await fx.ledger.apply({ id: 'restore-1', type: 'stock.adjusted', source: 'woocommerce', occurredAt: new Date().toISOString(), sku: 'TRASHED', set: 6, reason: 'product restored' } as StockEvent);
    await fx.settled();
    expect(fake.quantities()).toEqual({ TRASHED: 6 });
    // With something to show, a missing listing is a letter as before.
    fake.unlist(['TRASHED']);
    await fx.ledger.apply(received('TRASHED', 1));
    await fx.settled();
    expect((await fx.runtimes[0]!.core.dead.list(TENANT)).items).toMatchObject([{ sku: 'TRASHED', code: 'not_found' }]);
  });

  it('clears a letter once a later change of the SKU gets through, without a retry', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const fake = fx.fakes[0]!;
    fake.seed([{ sku: 'LONG-TITLE', quantity: 0 }]);
    fake.setFaults({ rejectSkus: { 'LONG-TITLE': 'title is too long for this marketplace' } });
    await fx.start();
    await fx.ledger.apply(received('LONG-TITLE', 2));
    await fx.settled();
    expect((await fx.runtimes[0]!.core.dead.list(TENANT)).items).toMatchObject([{ sku: 'LONG-TITLE', code: 'validation' }]);
    fake.setFaults({ rejectSkus: {} }); // the merchant shortened the title on the channel
    await fx.ledger.apply(received('LONG-TITLE', 1));
    await fx.settled();
    expect(fake.quantities()).toEqual({ 'LONG-TITLE': 3 });
    expect((await fx.runtimes[0]!.core.dead.list(TENANT)).items).toEqual([]);
  });

  it('pushes a sale ahead of a retry of many letters: the retry waits in the background', async () => {
    // One SKU per call, 10 calls/s: 40 retried letters take 4 s to push.
    const fx = await openFixture({ channels: ['fake-a'], limits: { batchSize: 1, requestsPerSecond: 10, burst: 2 } });
    const fake = fx.fakes[0]!;
    const letters = Array.from({ length: 40 }, (_, i) => `LETTER-${i}`);
    fake.seed([...letters, 'HOT'].map((sku) => ({ sku, quantity: 0 })));
    fake.setFaults({ rejectSkus: Object.fromEntries(letters.map((s) => [s, 'title is too long'])) });
    await fx.ledger.applyBatch([...letters.map((s) => received(s, 5)), received('HOT', 10)]);
    await fx.start();
    const app = await fx.app();
    await fx.settled(30_000);
    expect(await fx.runtimes[0]!.core.dead.count(TENANT, 'fake-a')).toBe(40);

    fake.setFaults({ rejectSkus: {} });
    expect((await app.inject({ method: 'POST', url: '/v1/dead-letters/retry', headers: auth, payload: {} })).json()).toEqual({ retried: 40 });
    await new Promise((r) => setTimeout(r, 300));
    await fx.ledger.apply(ev.sale('HOT', 3, 'amazon')); // a sale elsewhere while the retry runs
    const t0 = Date.now();
    while (fake.quantities().HOT !== 7 && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    // The sale reached the channel while most of the retried letters still waited their turn.
    const pushedBefore = letters.filter((s) => fake.quantities()[s] === 5).length;
    console.log('[background] retried letters pushed before the sale landed:', pushedBefore, 'of 40, after', Date.now() - t0, 'ms');
    expect(fake.quantities().HOT).toBe(7);
    expect(pushedBefore).toBeLessThan(20);
    await fx.settled(30_000);
    expect(letters.every((s) => fake.quantities()[s] === 5)).toBe(true);
    expect(await fx.runtimes[0]!.core.dead.count(TENANT, 'fake-a')).toBe(0);
  });

  it('dead-letters every item of a call the channel refuses with an auth error', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    fx.fakes[0]!.seed([{ sku: 'X1', quantity: 0 }, { sku: 'X2', quantity: 0 }]);
    fx.fakes[0]!.setFaults({ authFailure: true });
    await fx.start();
    await fx.ledger.applyBatch([received('X1', 1), received('X2', 2)]);
    await fx.settled();
    const page = await fx.runtimes[0]!.core.dead.list(TENANT);
    expect(page.items.map((d) => [d.sku, d.code]).sort()).toEqual([['X1', 'auth'], ['X2', 'auth']]);
  });

  it('counts, pages and retries thousands of letters per channel without reading the others', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    const rt = await fx.start({ role: 'api' });
    const app = await fx.app();
    const dead = rt.core.dead;
    // A channel whose listings were never made: 1,200 letters; another channel: 5.
    await Promise.all(Array.from({ length: 1200 }, (_, i) => dead.add(TENANT, { channel: 'fake-a', sku: `A-${i}`, error: 'no listing', code: 'not_found' }, 1_000 + i)));
    await Promise.all(Array.from({ length: 5 }, (_, i) => dead.add(TENANT, { channel: 'fake-b', sku: `B-${i}`, error: 'no listing', code: 'not_found' }, 5_000 + i)));
    expect(await dead.count(TENANT, 'fake-a')).toBe(1200);
    expect(await dead.count(TENANT, 'fake-b')).toBe(5);
    expect(await dead.count(TENANT)).toBe(1205);

    // One channel's pages, newest first, complete and without overlap.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { sku: string; channel: string }[]; nextCursor: string | null } = (
        await app.inject({ method: 'GET', url: `/v1/dead-letters?channel=fake-a&limit=500${cursor ? `&cursor=${cursor}` : ''}`, headers: auth })
      ).json();
      expect(page.items.every((l) => l.channel === 'fake-a')).toBe(true);
      seen.push(...page.items.map((l) => l.sku));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(1200);
    expect(new Set(seen).size).toBe(1200);
    expect(seen[0]).toBe('A-1199');
    expect(seen.at(-1)).toBe('A-0');

    // Retry-all of one channel flags its letters and marks its SKUs dirty, and leaves the other's alone.
    const retried = await app.inject({ method: 'POST', url: '/v1/dead-letters/retry', headers: auth, payload: { channel: 'fake-b' } });
    expect(retried.json()).toEqual({ retried: 5 });
    const b = (await app.inject({ method: 'GET', url: '/v1/dead-letters?channel=fake-b', headers: auth })).json().items as { retrying?: boolean }[];
    expect(b.every((l) => l.retrying === true)).toBe(true);
    expect(await rt.core.pending('fake-b')).toBe(5);
    expect(await rt.core.pending('fake-a')).toBe(0);
    const a = (await app.inject({ method: 'GET', url: '/v1/dead-letters?channel=fake-a&limit=10', headers: auth })).json().items as { retrying?: boolean }[];
    expect(a.some((l) => l.retrying)).toBe(false);
  });

  it('refuses a channel it does not know (400 naming /channel and the known channels) instead of answering an empty list or retried 0', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const rt = await fx.start({ role: 'api' });
    const app = await fx.app();
    await rt.core.dead.add(TENANT, { channel: 'fake-a', sku: 'K-1', error: 'no listing', code: 'not_found' });
    const before = await fx.t.redis.hgetall(fx.keys.propagation(TENANT, 'dead'));

    const known = /woocommerce, shopify, amazon, flipkart, fake-a/;
    const list = await app.inject({ method: 'GET', url: '/v1/dead-letters?channel=ebay', headers: auth });
    expect(list.statusCode).toBe(400);
    expect(list.json()).toEqual({ code: 'invalid_request', pointer: '/channel', message: expect.stringMatching(known) });
    expect(list.json().message).toMatch(/^Query parameter channel "ebay" is not a known channel/);
    const retry = await app.inject({ method: 'POST', url: '/v1/dead-letters/retry', headers: auth, payload: { channel: 'ebay' } });
    expect(retry.statusCode).toBe(400);
    expect(retry.json()).toEqual({ code: 'invalid_request', pointer: '/channel', message: expect.stringMatching(known) });
    expect(retry.json().message).toMatch(/^\/channel "ebay" is not a known channel/);
    // Nothing was flagged for a retry.
    expect(await fx.t.redis.hgetall(fx.keys.propagation(TENANT, 'dead'))).toEqual(before);

    // A known channel still answers, with its letters or none.
    expect((await app.inject({ method: 'GET', url: '/v1/dead-letters?channel=fake-a', headers: auth })).json().items).toHaveLength(1);
    const amazon = await app.inject({ method: 'GET', url: '/v1/dead-letters?channel=amazon', headers: auth });
    expect(amazon.statusCode).toBe(200);
    expect(amazon.json().items).toEqual([]);
  });

  it('names a dead-letter id, not a SKU or an event id, when an id is too long or malformed; the longest real id works', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    const rt = await fx.start({ role: 'api' });
    const app = await fx.app();
    const { deadLetterId } = await import('../../companion/src/propagation/dead-letters');
    // The longest id there can be: a 32-character channel id and 100 SKU characters of 3 UTF-8 bytes each.
    expect(deadLetterId('c'.repeat(32), '€'.repeat(100))).toHaveLength(444);

    for (const id of ['A'.repeat(5000), 'A'.repeat(445), 'not/base64url!']) {
      for (const [method, url] of [['DELETE', `/v1/dead-letters/${encodeURIComponent(id)}`], ['POST', `/v1/dead-letters/${encodeURIComponent(id)}/retry`]] as const) {
        const res = await app.inject({ method, url, headers: auth });
        expect(res.statusCode, `${method} ${id.length}`).toBe(400);
        const { message } = res.json() as { message: string };
        expect(message, `${method} ${id.length}`).toMatch(/dead-letter id/);
        expect(message).toMatch(/444 characters/);
        expect(message).not.toMatch(/SKU|event/);
      }
    }

    // A letter of a 100-character SKU of multi-byte characters has a 410-character id: it can be retried and discarded.
    const sku = '€'.repeat(100);
    const letter = await rt.core.dead.add(TENANT, { channel: 'fake-a', sku, error: 'no listing', code: 'not_found' });
    expect(letter.id.length).toBeGreaterThan(300);
    const retry = await app.inject({ method: 'POST', url: `/v1/dead-letters/${letter.id}/retry`, headers: auth });
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.json()).toEqual({ retried: 1 });
    const del = await app.inject({ method: 'DELETE', url: `/v1/dead-letters/${letter.id}`, headers: auth });
    expect(del.statusCode, del.body).toBe(204);
    expect(await rt.core.dead.count(TENANT, 'fake-a')).toBe(0);
  });

  it('indexes by channel the letters an earlier version stored without that index', async () => {
    const fx = await openFixture({ channels: ['fake-a', 'fake-b'] });
    // The earlier layout: the letters' hash and one index of all of them.
    const hash = fx.keys.propagation(TENANT, 'dead');
    const index = fx.keys.propagation(TENANT, 'dead:index');
    const { deadLetterId } = await import('../../companion/src/propagation/dead-letters');
    for (const [i, [channel, sku]] of [['fake-a', 'OLD-1'], ['fake-a', 'OLD-2'], ['fake-b', 'OLD-3']].entries()) {
      const id = deadLetterId(channel!, sku!);
      const at = new Date(1_000 + i).toISOString();
      await fx.t.redis.hset(hash, id, JSON.stringify({ id, channel, sku, error: 'x', code: 'auth', attempts: 1, firstFailedAt: at, lastFailedAt: at }));
      await fx.t.redis.zadd(index, 1_000 + i, id);
    }
    const rt = await fx.start({ role: 'api' });
    expect(await rt.core.dead.count(TENANT, 'fake-a')).toBe(2);
    expect(await rt.core.dead.count(TENANT, 'fake-b')).toBe(1);
    expect((await rt.core.dead.list(TENANT, { channel: 'fake-a' })).items.map((l) => l.sku)).toEqual(['OLD-2', 'OLD-1']);
    expect(await rt.core.dead.remove(TENANT, deadLetterId('fake-a', 'OLD-2'))).toBe(true);
    expect(await rt.core.dead.count(TENANT, 'fake-a')).toBe(1);
  });
  it('leaves a letter whose channel no longer runs here as it is: 409 naming the channel for one, counted apart in retry-all', async () => {
    const fx = await openFixture({ channels: ['fake-a'] });
    await fx.start();
    const app = await fx.app();
    const dead = fx.runtimes[0]!.core.dead;
    // A letter from when amazon was configured; this companion now runs fake-a only.
    const gone = await dead.add(TENANT, { channel: 'amazon', sku: 'OLD-1', error: 'no listing', code: 'not_found' });
    await dead.add(TENANT, { channel: 'fake-a', sku: 'NOW-1', error: 'no listing', code: 'not_found' });
    const one = await app.inject({ method: 'POST', url: `/v1/dead-letters/${gone.id}/retry`, headers: auth });
    expect(one.statusCode, one.body).toBe(409);
    expect(one.json()).toMatchObject({ code: 'channel_not_running' });
    expect(one.json().message).toMatch(/Channel amazon does not run in this companion.*discard/);
    const all = await app.inject({ method: 'POST', url: '/v1/dead-letters/retry', headers: auth });
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json()).toEqual({ retried: 1, notRunning: 1 });
    const left = (await dead.list(TENANT)).items.find((l) => l.id === gone.id);
    expect(left).toMatchObject({ channel: 'amazon', sku: 'OLD-1' });
    expect(left!.retrying).toBeUndefined();
  });
});
