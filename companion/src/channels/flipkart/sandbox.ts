/**
 * A local Flipkart: the OAuth token endpoint and the Seller API v3 subset Stockline uses, on
 * 127.0.0.1. Usable standalone (`startFlipkartSandbox({ port: 7403 })`) and by tests (port 0).
 */
import Fastify from 'fastify';
import type { FaultConfig, SandboxHandle } from '../sandbox-kit/types';
import { registerAuth, registerListings, requestError } from './sandbox-listings';
import { placeOrder, registerShipments, transitionItem } from './sandbox-shipments';
import { FlipkartSandboxState, type FlipkartSandboxOptions } from './sandbox-state';

export type { FlipkartSandboxOptions } from './sandbox-state';

export interface FlipkartSandboxHandle extends SandboxHandle {
  /** Seller or buyer moves an order item on (PACKED, SHIPPED, CANCELLED …). */
  setOrderItemStatus(orderItemId: string, status: string): boolean;
  /** Every issued token is now expired (what 60 days do, without waiting). */
  expireTokens(): void;
  /** FSN of a listed SKU (what a merchant would see in Seller Hub). */
  fsnOf(sku: string): string | undefined;
  /** The SKU is now listed under another FSN (catalogue re-mapping on Flipkart's side). */
  setFsn(sku: string, fsn: string): void;
  /** 0..1 share of SKUs failing in an inventory update. */
  setSkuFailureRate(rate: number): void;
}

export async function startFlipkartSandbox(opts: FlipkartSandboxOptions = {}): Promise<FlipkartSandboxHandle> {
  const state = new FlipkartSandboxState(opts);
  // forceCloseConnections: closing a sandbox must not wait for clients (keep-alive sockets).
  // A listings read names up to 10 SKU ids in one path segment: well past Fastify's 100-character default.
  const app = Fastify({ logger: false, forceCloseConnections: true, routerOptions: { maxParamLength: 4000 } });
  state.faults.install(app, (reply) => requestError(reply, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error'));

  registerAuth(app, state);
  registerListings(app, state);
  registerShipments(app, state);

  app.get('/_sandbox/quantities', async () => state.quantities());
  app.post('/_sandbox/listings', async (req) => {
    state.seed(req.body as { sku: string; quantity: number }[]);
    return state.quantities();
  });
  app.get('/_sandbox/faults', async () => ({ ...state.faults.get(), skuFailureRate: state.skuFailureRate }));
  app.post('/_sandbox/faults', async (req) => {
    const { skuFailureRate, ...rest } = req.body as Partial<FaultConfig> & { skuFailureRate?: number };
    if (typeof skuFailureRate === 'number') state.skuFailureRate = skuFailureRate;
    return { ...state.faults.set(rest), skuFailureRate: state.skuFailureRate };
  });
  app.post('/_sandbox/orders', async (req) => {
    const { sku, qty } = req.body as { sku: string; qty: number };
    return placeOrder(state, sku, qty);
  });
  app.get('/_sandbox/stats', async () => state.stats);

  const address = await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  return {
    channel: 'flipkart',
    url: address,
    // In configuration terms (STOCKLINE_FLIPKART_URL): the Seller API base, …/sellers.
    credentials: { url: `${address}/sellers`, appId: state.appId, appSecret: state.appSecret, locationId: state.locationId },
    quantities: () => state.quantities(),
    seed: (listings) => state.seed(listings),
    placeOrder: async (sku, qty) => placeOrder(state, sku, qty),
    setFaults: (f) => state.faults.set(f),
    stats: () => ({ ...state.stats }),
    setOrderItemStatus: (id, status) => transitionItem(state, id, status),
    expireTokens: () => state.revokeTokens(),
    fsnOf: (sku) => state.listings.get(sku)?.fsn,
    setFsn: (sku, fsn) => {
      const l = state.listings.get(sku);
      if (l) l.fsn = fsn;
    },
    setSkuFailureRate: (rate) => {
      state.skuFailureRate = rate;
    },
    close: () => app.close(),
  };
}
