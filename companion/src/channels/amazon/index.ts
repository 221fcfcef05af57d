/** Amazon SP-API channel: adapter, order ingestion and sandbox. */
export { startAmazonSandbox, type AmazonSandboxHandle, type AmazonSandboxOptions } from './sandbox';
export { AmazonAdapter, type AmazonAdapterOptions, type Confirmation } from './adapter';
export { SpApiClient, type SpApiClientOptions } from './client';
