/**
 * Large pushes through JSON_LISTINGS_FEED (channels.md §2 "Bulk"): one document per ≤ 25,000
 * messages, createFeed, poll getFeed, then per-message outcomes from the result report —
 * where partial success shows. Used above roughly 1.5k SKUs (models#543).
 */
import { ChannelError, type PushItem, type PushOutcome } from '../port';
import type { SpApiClient } from './client';
import { quantityPatch } from './mapping';
import type { JsonListingsFeed } from './wire';

export const MAX_FEED_MESSAGES = 25_000;

export interface FeedOptions {
  /** Longest wait between getFeed polls (Amazon allows 2/s, burst 15; feeds take minutes). */
  pollMs: number;
  /**
   * First wait; each next one doubles up to `pollMs`. A feed Amazon finishes in seconds is not
   * held for a whole `pollMs` (the sandbox takes 300 ms: 471 SKUs came back after 15.1 s with a
   * flat 15 s poll, 0.6 s polling from 250 ms), and a feed of minutes costs a handful more getFeed
   * calls than a flat poll.
   */
  firstPollMs?: number;
  /** Give up waiting (the caller retries the SKUs) after this long. */
  timeoutMs: number;
}

export async function pushFeed(client: SpApiClient, items: PushItem[], opts: FeedOptions): Promise<PushOutcome[]> {
  const out: PushOutcome[] = [];
  for (let i = 0; i < items.length; i += MAX_FEED_MESSAGES) {
    out.push(...(await pushOneFeed(client, items.slice(i, i + MAX_FEED_MESSAGES), opts)));
  }
  return out;
}

async function pushOneFeed(client: SpApiClient, items: PushItem[], opts: FeedOptions): Promise<PushOutcome[]> {
  const feed: JsonListingsFeed = {
    header: { sellerId: client.opts.sellerId, version: '2.0', issueLocale: 'en_US' },
    messages: items.map((item, i) => ({
      messageId: i + 1,
      sku: item.sku,
      operationType: 'PATCH',
      productType: 'PRODUCT',
      patches: [quantityPatch(item.quantity)],
    })),
  };
  const doc = await client.createFeedDocument();
  await client.uploadFeedDocument(doc.url, JSON.stringify(feed));
  const feedId = await client.createFeed(doc.feedDocumentId);

  const deadline = Date.now() + opts.timeoutMs;
  let status = await client.getFeed(feedId);
  let waitMs = Math.min(opts.pollMs, opts.firstPollMs ?? 250);
  while (status.processingStatus === 'IN_QUEUE' || status.processingStatus === 'IN_PROGRESS') {
    if (Date.now() > deadline) {
      throw new ChannelError(`Amazon feed ${feedId} still ${status.processingStatus} after ${opts.timeoutMs} ms`, 'transient');
    }
    await new Promise((r) => setTimeout(r, waitMs));
    waitMs = Math.min(opts.pollMs, waitMs * 2);
    status = await client.getFeed(feedId);
  }
  if (status.processingStatus === 'CANCELLED') throw new ChannelError(`Amazon cancelled feed ${feedId}`, 'transient');
  const report = status.resultFeedDocumentId ? await client.getFeedReport(status.resultFeedDocumentId) : null;

  if (status.processingStatus === 'FATAL') {
    const why = report?.issues.map((i) => i.message).join('; ') || 'no report';
    const error = new ChannelError(`Amazon feed ${feedId} failed as a whole (FATAL): ${why}`, 'validation', { channelCode: 'FATAL' });
    return items.map((item) => ({ sku: item.sku, status: 'failed', error }));
  }
  const errorsByMessage = new Map<number, string[]>();
  const notFound = new Set<number>();
  for (const issue of report?.issues ?? []) {
    if (issue.severity !== 'ERROR') continue;
    errorsByMessage.set(issue.messageId, [...(errorsByMessage.get(issue.messageId) ?? []), `${issue.code}: ${issue.message}`]);
    if (/NOT_FOUND|not found/i.test(issue.code + issue.message)) notFound.add(issue.messageId);
  }
  return items.map((item, i): PushOutcome => {
    const errors = errorsByMessage.get(i + 1);
    if (!errors) return { sku: item.sku, status: 'ok', quantity: item.quantity };
    return {
      sku: item.sku,
      status: 'failed',
      error: new ChannelError(`Amazon feed ${feedId} refused ${item.sku}: ${errors.join('; ')}`, notFound.has(i + 1) ? 'not_found' : 'validation'),
    };
  });
}
