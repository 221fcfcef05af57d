/**
 * A local Amazon: Login with Amazon plus the SP-API subset Stockline uses, on 127.0.0.1.
 * Usable standalone (`startAmazonSandbox({ port: 7402 })`) and by tests (port 0).
 */
import Fastify from 'fastify';
import type { FaultConfig, SandboxHandle } from '../sandbox-kit/types';
import { spError } from './sandbox-http';
import { registerFeeds } from './sandbox-feeds';
import { registerListings, registerLwa } from './sandbox-listings';
import { placeOrder, registerOrders, transitionOrder } from './sandbox-orders';
import { registerSqs } from './sandbox-sqs';
import { AmazonSandboxState, type AmazonSandboxOptions } from './sandbox-state';
import type { OrderStatus } from './wire';

export type { AmazonSandboxOptions } from './sandbox-state';

export interface AmazonSandboxHandle extends SandboxHandle {
  /** Same origin serves LWA; kept separate in config terms (lwaUrl). */
  lwaUrl: string;
  /** Seller or buyer acts on an order (Shipped, Canceled …); publishes ORDER_CHANGE. */
  setOrderStatus(orderId: string, status: OrderStatus): boolean;
  /** Invalidates every issued access token (what expiry does, without waiting). */
  revokeTokens(): void;
  /** Messages still in the ORDER_CHANGE queue (not yet deleted by a consumer). */
  queueDepth(): number;
  /** 0..1 share of ACCEPTED submissions that are never applied (Amazon's known failure). */
  setLostAcceptedRate(rate: number): void;
  /** This sandbox's version of the getOrders 2-minute rule. */
  ordersLagMs: number;
  /** How long after answering ACCEPTED this sandbox applies a PATCH. */
  applyDelayMs: number;
}

export async function startAmazonSandbox(opts: AmazonSandboxOptions = {}): Promise<AmazonSandboxHandle> {
  const state = new AmazonSandboxState(opts);
  // forceCloseConnections: closing a sandbox must not wait for clients (a long poll, a keep-alive).
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024, forceCloseConnections: true });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  // Feed documents are PUT with whatever content type the caller chose.
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  state.faults.install(app, (reply) =>
    spError(reply, 500, 'InternalFailure', 'We encountered an internal error. Please try again.'),
  );

  registerLwa(app, state);
  registerListings(app, state);
  registerFeeds(app, state);
  registerOrders(app, state);
  const sqs = {
    accessKeyId: opts.awsAccessKeyId ?? 'AKIASANDBOX000000000',
    secretAccessKey: opts.awsSecretAccessKey ?? 'sandbox/aws/secret/access/key/000000000000',
    region: 'us-east-1',
    accountId: '123456789012',
    queueName: 'sp-api-order-change',
  };
  registerSqs(app, state, sqs);

  app.get('/_sandbox/quantities', async () => state.quantities());
  app.post('/_sandbox/listings', async (req) => {
    state.seed(req.body as { sku: string; quantity: number }[]);
    return state.quantities();
  });
  app.get('/_sandbox/faults', async () => ({ ...state.faults.get(), lostAcceptedRate: state.lostAcceptedRate }));
  app.post('/_sandbox/faults', async (req) => {
    const { lostAcceptedRate, ...rest } = req.body as Partial<FaultConfig> & { lostAcceptedRate?: number };
    if (typeof lostAcceptedRate === 'number') state.lostAcceptedRate = lostAcceptedRate;
    return { ...state.faults.set(rest), lostAcceptedRate: state.lostAcceptedRate };
  });
  app.post('/_sandbox/orders', async (req) => {
    const { sku, qty } = req.body as { sku: string; qty: number };
    return placeOrder(state, sku, qty);
  });
  app.get('/_sandbox/stats', async () => state.stats);
  app.post('/_sandbox/tokens/revoke', async () => {
    state.revokeTokens();
    return { revoked: true };
  });

  const address = await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  return {
    channel: 'amazon',
    url: address,
    lwaUrl: address,
    credentials: {
      url: address,
      lwaUrl: `${address}/auth/o2/token`,
      clientId: state.clientId,
      clientSecret: state.clientSecret,
      refreshToken: state.refreshToken,
      sellerId: state.sellerId,
      marketplaceIds: state.marketplaceId,
      sqsEndpoint: `${address}/sqs`,
      sqsQueueUrl: `${address}/sqs/${sqs.accountId}/${sqs.queueName}`,
      sqsRegion: sqs.region,
      awsAccessKeyId: sqs.accessKeyId,
      awsSecretAccessKey: sqs.secretAccessKey,
    },
    quantities: () => state.quantities(),
    seed: (listings) => state.seed(listings),
    placeOrder: async (sku, qty) => placeOrder(state, sku, qty),
    setFaults: (f) => state.faults.set(f),
    stats: () => ({ ...state.stats }),
    setOrderStatus: (orderId, status) => transitionOrder(state, orderId, status),
    revokeTokens: () => state.revokeTokens(),
    queueDepth: () => state.queue.length,
    ordersLagMs: state.ordersLagMs,
    applyDelayMs: state.applyDelayMs,
    setLostAcceptedRate: (rate) => {
      state.lostAcceptedRate = rate;
    },
    close: async () => {
      for (const t of state.timers) clearTimeout(t);
      state.timers.clear();
      await app.close();
    },
  };
}
