import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts a test's own HTTP server on a loopback port the OS picks (so no other test can hold it)
 * and gives its base URL (no trailing slash) and a close that waits until it has stopped.
 */
export async function listenOnLoopback(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
