/**
 * The network boundary for component tests: `fetch` is replaced by a router over the
 * plugin's REST routes, so everything above it (api-fetch with its nonce and root
 * middlewares, our api layer, hooks and views) runs for real.
 */
import { cleanup } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { configureApi } from '../../../admin-ui/src/api/client';
import { FakeNetwork } from './fake-network';

export { FakeNetwork, type Call, type Reply } from './fake-network';

export const NONCE = 'test-nonce-123';
export const REST_ROOT = 'http://shop.test/wp-json/';

let current: FakeNetwork | undefined;

/** Call at the top of a test file: each test gets a fresh FakeNetwork via `net()`. */
export function useFakeNetwork(): () => FakeNetwork {
  configureApi({ restRoot: REST_ROOT, nonce: NONCE, woocommerce: true, version: '0.1.0' });
  beforeEach(() => {
    current = new FakeNetwork();
    vi.stubGlobal('fetch', current.fetch);
    window.location.hash = '';
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
  });
  return () => {
    if (!current) throw new Error('useFakeNetwork: no test is running');
    return current;
  };
}
