/** Shared by the Shopify tests: a sandbox + a real adapter pointed at it over HTTP. */
import { createShopifyChannel, startShopifySandbox, type ShopifySandboxHandle, type ShopifySandboxOptions } from '../../companion/src/channels/shopify';
import { channelFixture, type ChannelFixture } from './fixtures';

export { item } from './fixtures';

export type ShopifyFixture = ChannelFixture<ShopifySandboxHandle>;

export async function shopifyFixture(
  opts: ShopifySandboxOptions = {},
  channelOpts: { token?: string; maxBudgetWaitMs?: number; apiVersion?: string } = {},
): Promise<ShopifyFixture> {
  const sandbox = await startShopifySandbox(opts);
  const channel = createShopifyChannel(
    {
      shop: sandbox.shop,
      token: channelOpts.token ?? sandbox.credentials.token!,
      locationId: sandbox.locationId,
      webhookSecret: sandbox.webhookSecret,
      url: sandbox.url,
      maxBudgetWaitMs: channelOpts.maxBudgetWaitMs,
      apiVersion: channelOpts.apiVersion,
    },
    { tenant: 'default' },
  );
  return channelFixture(sandbox, channel);
}

/** Raw Admin GraphQL call, as any Shopify client would send it. */
export async function gql(
  sandbox: ShopifySandboxHandle,
  query: string,
  variables: Record<string, unknown> = {},
  o: { token?: string; version?: string } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${sandbox.url}/admin/api/${o.version ?? '2026-04'}/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': o.token ?? sandbox.credentials.token! },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}
