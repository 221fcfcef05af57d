/**
 * Feeds API 2021-06-30 with JSON_LISTINGS_FEED (shared/channels.md §2 "Bulk"): createFeedDocument
 * → PUT to the "presigned" URL → createFeed → getFeed IN_QUEUE → IN_PROGRESS → DONE/FATAL →
 * result document with per-message issues. Limits: 25,000 messages per feed, 5 feeds per window.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { guard, listParam, spError } from './sandbox-http';
import { applyPatches, notFoundIssue, validatePatches } from './sandbox-listings';
import type { AmazonSandboxState } from './sandbox-state';
import type { Feed, JsonListingsFeed, JsonListingsFeedReport } from './wire';

export const MAX_FEED_MESSAGES = 25_000;

interface FeedsState {
  documents: Map<string, string | null>;
  feeds: Map<string, Feed>;
  created: number[];
}

const id = (prefix: string) => `${prefix}${randomBytes(8).toString('hex')}`;
const baseOf = (req: FastifyRequest) => `${req.protocol}://${req.headers.host}`;

export function registerFeeds(app: FastifyInstance, state: AmazonSandboxState): void {
  const fs: FeedsState = { documents: new Map(), feeds: new Map(), created: [] };

  app.post('/feeds/2021-06-30/documents', async (req, reply) => {
    if (!guard(state, req, reply, 'createFeedDocument')) return reply;
    const { contentType } = (req.body ?? {}) as { contentType?: string };
    if (typeof contentType !== 'string' || !contentType) return spError(reply, 400, 'InvalidInput', 'contentType is required.');
    const docId = id('amzn1.tortuga.4.na.');
    fs.documents.set(docId, null);
    return reply.code(201).send({ feedDocumentId: docId, url: `${baseOf(req)}/s3/documents/${docId}` });
  });

  // The presigned S3 URL: no SP-API auth, no SP-API throttling.
  app.put<{ Params: { docId: string } }>('/s3/documents/:docId', async (req, reply) => {
    if (!fs.documents.has(req.params.docId)) return reply.code(403).send('<Error><Code>AccessDenied</Code></Error>');
    fs.documents.set(req.params.docId, typeof req.body === 'string' ? req.body : JSON.stringify(req.body));
    return reply.code(200).send('');
  });
  app.get<{ Params: { docId: string } }>('/s3/documents/:docId', async (req, reply) => {
    const content = fs.documents.get(req.params.docId);
    if (content == null) return reply.code(404).send('<Error><Code>NoSuchKey</Code></Error>');
    return reply.header('content-type', 'application/json').send(content);
  });

  app.post('/feeds/2021-06-30/feeds', async (req, reply) => {
    if (!guard(state, req, reply, 'createFeed')) return reply;
    const body = (req.body ?? {}) as { feedType?: string; marketplaceIds?: unknown; inputFeedDocumentId?: string };
    if (body.feedType !== 'JSON_LISTINGS_FEED') return spError(reply, 400, 'InvalidInput', `Unsupported feedType: ${String(body.feedType)}.`);
    if (!listParam(body.marketplaceIds).includes(state.marketplaceId)) {
      return spError(reply, 400, 'InvalidInput', 'Missing or invalid request parameters: [marketplaceIds]');
    }
    if (!body.inputFeedDocumentId || !fs.documents.has(body.inputFeedDocumentId)) {
      return spError(reply, 400, 'InvalidInput', 'inputFeedDocumentId does not name an uploaded feed document.');
    }
    const now = Date.now();
    fs.created = fs.created.filter((t) => t > now - state.feedWindowMs);
    if (state.faults.throttling && fs.created.length >= state.feedsPerWindow) {
      state.stats.throttled += 1;
      reply.removeHeader('x-amzn-RateLimit-Limit');
      return spError(reply, 429, 'QuotaExceeded', 'You exceeded your quota for the requested resource.');
    }
    fs.created.push(now);
    const feed: Feed = {
      feedId: String(50_000_000_000 + Math.floor(Math.random() * 1e9)),
      feedType: 'JSON_LISTINGS_FEED',
      marketplaceIds: [state.marketplaceId],
      createdTime: new Date(now).toISOString(),
      processingStatus: 'IN_QUEUE',
    };
    fs.feeds.set(feed.feedId, feed);
    const docId = body.inputFeedDocumentId;
    state.later(Math.floor(state.feedProcessingMs / 3), () => {
      feed.processingStatus = 'IN_PROGRESS';
      feed.processingStartTime = new Date().toISOString();
    });
    state.later(state.feedProcessingMs, () => process(state, fs, feed, fs.documents.get(docId) ?? null));
    return reply.code(202).send({ feedId: feed.feedId });
  });

  app.get<{ Params: { feedId: string } }>('/feeds/2021-06-30/feeds/:feedId', async (req, reply) => {
    if (!guard(state, req, reply, 'getFeed')) return reply;
    const feed = fs.feeds.get(req.params.feedId);
    if (!feed) return spError(reply, 404, 'NotFound', `Feed ${req.params.feedId} not found.`);
    return feed;
  });

  app.get<{ Params: { docId: string } }>('/feeds/2021-06-30/documents/:docId', async (req, reply) => {
    if (!guard(state, req, reply, 'getFeedDocument')) return reply;
    if (!fs.documents.has(req.params.docId)) return spError(reply, 404, 'NotFound', `Feed document ${req.params.docId} not found.`);
    return { feedDocumentId: req.params.docId, url: `${baseOf(req)}/s3/documents/${req.params.docId}` };
  });
}

function process(state: AmazonSandboxState, fs: FeedsState, feed: Feed, content: string | null): void {
  const report: JsonListingsFeedReport = {
    header: { sellerId: state.sellerId, version: '2.0', feedId: feed.feedId },
    issues: [],
    summary: { errors: 0, warnings: 0, messagesProcessed: 0, messagesAccepted: 0, messagesInvalid: 0 },
  };
  let fatal: string | null = null;
  let parsed: JsonListingsFeed | null = null;
  try {
    parsed = content ? (JSON.parse(content) as JsonListingsFeed) : null;
  } catch {
    fatal = 'The feed document is not valid JSON.';
  }
  if (!fatal && (!parsed || !Array.isArray(parsed.messages) || parsed.header?.version !== '2.0')) fatal = 'The feed document does not match the JSON_LISTINGS_FEED schema.';
  else if (!fatal && parsed!.header.sellerId !== state.sellerId) fatal = 'The header sellerId does not match the seller.';
  else if (!fatal && parsed!.messages.length > MAX_FEED_MESSAGES) fatal = `The feed has ${parsed!.messages.length} messages; at most ${MAX_FEED_MESSAGES} are allowed.`;

  if (fatal) {
    report.issues.push({ messageId: 0, code: '100001', severity: 'ERROR', message: fatal });
    report.summary.errors = 1;
  } else {
    for (const m of parsed!.messages) {
      report.summary.messagesProcessed += 1;
      const fail = (code: string, message: string) => {
        report.issues.push({ messageId: m.messageId, sku: m.sku, code, severity: 'ERROR', message });
        report.summary.errors += 1;
        report.summary.messagesInvalid += 1;
      };
      if (m.operationType !== 'PATCH') {
        fail('4000004', `operationType ${String(m.operationType)} is not supported by this sandbox.`);
        continue;
      }
      const checked = validatePatches({ productType: m.productType, patches: m.patches });
      if ('badRequest' in checked) {
        fail('4000002', checked.badRequest);
        continue;
      }
      const listing = state.listings.get(m.sku);
      const issues = listing ? checked.issues : [notFoundIssue(m.sku, state.marketplaceId)];
      const error = issues.find((i) => i.severity === 'ERROR');
      if (error) {
        fail(error.code, error.message);
        continue;
      }
      applyPatches(listing!, checked.patches);
      report.summary.messagesAccepted += 1;
      state.stats.rowsWritten += 1;
    }
    state.stats.writes += 1;
  }
  const resultId = id('amzn1.tortuga.4.na.result.');
  fs.documents.set(resultId, JSON.stringify(report));
  feed.resultFeedDocumentId = resultId;
  feed.processingStatus = fatal ? 'FATAL' : 'DONE';
  feed.processingEndTime = new Date().toISOString();
}
