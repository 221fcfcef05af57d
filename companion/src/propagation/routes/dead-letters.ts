/**
 * Dead letters (admin token): list, retry one, retry all (optionally one channel), discard one.
 * A retry marks the (channel, sku) dirty and queues it at once; the letter stays, flagged
 * `retrying`, until the channel acknowledges the push (then it is removed) or fails again.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { knownChannelIds } from '../../config';
import { ADMIN } from '../../http/auth';
import { checkChannelFilter } from '../../http/messages';
import { NotFoundError, StocklineError } from '../../errors';
import type { SyncCore } from '../core';
import { channelOf } from '../dead-letters';
import { forgetShown } from '../sync-keys';
import { DeadLetterPage, DeadLetterQuery, IdParams, Retried, RetryAllBody, TenantQuery } from './schemas';
import { DEFAULT_TENANT, errors } from './common';

export function deadLetterRoutes(core: SyncCore) {
  /** A filter may name any built-in channel (its letters outlive its credentials) or one this process runs. */
  const known = knownChannelIds(core.channelIds);

  /**
   * A letter can outlive its channel's credentials (or sandbox): this process has no queue to push
   * it on, so it is left as it is and said so, instead of a 500 and a letter flagged retrying for good.
   */
  const running = (id: string) => core.channelIds.includes(channelOf(id));
  const notRunning = (channel: string) =>
    new StocklineError(
      `Channel ${channel} does not run in this companion (no credentials configured, and no sandbox): configure it to push this letter again, or discard the letter with DELETE /v1/dead-letters/:id`,
      'channel_not_running',
      409,
      false,
      { channel },
    );

  /** Flags the letters and marks their SKUs dirty, one call per channel however many there are. */
  const retry = async (tenant: string, ids: string[]) => {
    const letters = await core.dead.markRetrying(tenant, ids.filter(running));
    const now = Date.now();
    const byChannel = new Map<string, Map<string, number>>();
    for (const l of letters) {
      let skus = byChannel.get(l.channel);
      if (!skus) byChannel.set(l.channel, (skus = new Map()));
      skus.set(l.sku, now);
    }
    // A person's retry pushes the SKU whatever Stockline last had accepted there: forgotten, the
    // push is an absolute set and not skipped as "already shown" (acceptance pass 27: a letter
    // whose SKU the channel had since set to 0 behind Stockline's back was "retried" and nothing
    // was pushed, the Stock tab still ticking the number last accepted).
    for (const [channel, skus] of byChannel) await forgetShown(core.deps.redis, core.deps.keys, tenant, channel, [...skus.keys()]);
    // One letter is pushed in its turn; many (retry all) in the background, after real changes.
    for (const [channel, skus] of byChannel) await core.markDirty(tenant, skus, [channel], true, undefined, letters.length > 1);
    return letters.length;
  };

  return async function routes(app: FastifyInstance) {
    app.get<{ Querystring: DeadLetterQuery }>(
      '/v1/dead-letters',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Pushes a channel refused for good, newest first', querystring: DeadLetterQuery, response: { 200: DeadLetterPage, ...errors } } },
      async (req) => {
        const { tenant = DEFAULT_TENANT, ...opts } = req.query;
        checkChannelFilter(opts.channel, known, 'querystring');
        return core.dead.list(tenant, { ...opts, channels: known });
      },
    );

    app.post<{ Params: IdParams; Querystring: TenantQuery }>(
      '/v1/dead-letters/:id/retry',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Push this SKU to this channel again', params: IdParams, querystring: TenantQuery, response: { 200: Retried, ...errors, 409: errors[404] } } },
      async (req) => {
        const tenant = req.query.tenant ?? DEFAULT_TENANT;
        if (!running(req.params.id) && (await core.dead.has(tenant, req.params.id))) throw notRunning(channelOf(req.params.id));
        const retried = await retry(tenant, [req.params.id]);
        if (!retried) throw new NotFoundError(`No dead letter "${req.params.id}" — list them with GET /v1/dead-letters`);
        return { retried };
      },
    );

    app.post<{ Querystring: TenantQuery; Body: RetryAllBody | undefined }>(
      '/v1/dead-letters/retry',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Retry every dead letter (of one channel)', querystring: TenantQuery, body: RetryAllBody, response: { 200: Retried, ...errors } } },
      async (req) => {
        const tenant = req.query.tenant ?? DEFAULT_TENANT;
        checkChannelFilter(req.body?.channel, known, 'body');
        const ids = await core.dead.ids(tenant, req.body?.channel);
        const skipped = ids.filter((id) => !running(id)).length;
        return { retried: await retry(tenant, ids), ...(skipped ? { notRunning: skipped } : {}) };
      },
    );

    app.delete<{ Params: IdParams; Querystring: TenantQuery }>(
      '/v1/dead-letters/:id',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Discard a dead letter (a person decided)', params: IdParams, querystring: TenantQuery, response: { 204: Type.Null({ description: 'Discarded' }), ...errors } } },
      async (req, reply) => {
        const tenant = req.query.tenant ?? DEFAULT_TENANT;
        if (!(await core.dead.remove(tenant, req.params.id))) throw new NotFoundError(`No dead letter "${req.params.id}" — list them with GET /v1/dead-letters`);
        return reply.code(204).send();
      },
    );
  };
}
