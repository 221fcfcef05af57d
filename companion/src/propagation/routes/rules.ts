/**
 * Buffer / percent / maximum-shown rules per channel and per SKU. A change re-pushes every SKU
 * it affects, so channels follow the new rule within moments.
 */
import type { FastifyInstance } from 'fastify';
import { ADMIN } from '../../http/auth';
import { checkChannelFilter } from '../../http/messages';
import { NotFoundError } from '../../errors';
import type { SyncCore } from '../core';
import { ChannelParams, Rule, RulesReport, SkuParams, SkuRuleBody, TenantQuery, type RuleBody } from './schemas';
import { DEFAULT_TENANT, errors } from './common';

export function ruleRoutes(core: SyncCore) {
  const knownChannel = (channel: string) => {
    if (!core.channelIds.includes(channel)) throw new NotFoundError(`No channel "${channel}" — configured: ${core.channelIds.join(', ') || 'none'}`);
  };

  return async function routes(app: FastifyInstance) {
    app.get<{ Querystring: TenantQuery }>(
      '/v1/rules',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Channel and SKU rules', querystring: TenantQuery, response: { 200: RulesReport, ...errors } } },
      async (req) => core.rules.snapshot(req.query.tenant ?? DEFAULT_TENANT),
    );

    app.put<{ Params: ChannelParams; Querystring: TenantQuery; Body: RuleBody }>(
      '/v1/rules/channels/:channel',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Replace the rule of one channel; answers the rule it now follows (defaults such as the adapter\'s leadTimeMs filled in)', params: ChannelParams, querystring: TenantQuery, body: Rule, response: { 200: Rule, ...errors } } },
      async (req) => {
        const tenant = req.query.tenant ?? DEFAULT_TENANT;
        knownChannel(req.params.channel);
        const effective = await core.rules.setChannel(tenant, req.params.channel, req.body);
        await core.resync(tenant, { channel: req.params.channel });
        return effective;
      },
    );

    app.put<{ Params: SkuParams; Querystring: TenantQuery; Body: SkuRuleBody }>(
      '/v1/rules/skus/:sku',
      { schema: { tags: ['propagation'], security: ADMIN, summary: 'Set the rule of one SKU (one channel or all)', params: SkuParams, querystring: TenantQuery, body: SkuRuleBody, response: { 200: SkuRuleBody, ...errors } } },
      async (req) => {
        const tenant = req.query.tenant ?? DEFAULT_TENANT;
        const { channel, ...rule } = req.body;
        // A body field: bad input (400 naming it), where the path's channel is a resource (404).
        checkChannelFilter(channel, core.channelIds, 'body');
        await core.rules.setSku(tenant, req.params.sku, channel ?? '*', rule);
        await core.resync(tenant, { channel, skus: [req.params.sku] });
        return req.body;
      },
    );
  };
}
