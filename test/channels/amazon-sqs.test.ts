/**
 * ORDER_CHANGE through SQS's JSON protocol with SigV4, against the Amazon sandbox's SQS endpoint:
 * signatures are checked (wrong secret, unknown key, tampered body refused), long polling answers
 * as soon as a message arrives, deletes of stale receipts are harmless.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsError, SqsNotificationSource, startAmazonSandbox, type AmazonSandboxHandle, type SqsSourceOptions } from '../../companion/src/channels/amazon';
import { signedHeaders } from '../../companion/src/channels/amazon/sigv4';

let sb: AmazonSandboxHandle;
let opts: SqsSourceOptions;
beforeEach(async () => {
  sb = await startAmazonSandbox({ pendingMs: 60_000 });
  sb.seed([{ sku: 'MUG-1', quantity: 10 }]);
  const c = sb.credentials;
  opts = { endpoint: c.sqsEndpoint!, queueUrl: c.sqsQueueUrl!, region: c.sqsRegion!, accessKeyId: c.awsAccessKeyId!, secretAccessKey: c.awsSecretAccessKey!, waitTimeSeconds: 0 };
});
afterEach(async () => {
  await sb.close();
});

describe('SQS endpoint of the Amazon sandbox', () => {
  it.each([
    ['a wrong secret', { secretAccessKey: 'wrong' }, 403, 'InvalidSignatureException'],
    ['an unknown access key', { accessKeyId: 'AKIAUNKNOWN000000000' }, 403, 'UnrecognizedClientException'],
    ['another region in the scope', { region: 'eu-west-1' }, 403, 'InvalidSignatureException'],
    ['an unknown queue', { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/other' }, 400, 'QueueDoesNotExist'],
  ])('refuses %s with SQS\'s error', async (_n, patch, status, type) => {
    const err = (await new SqsNotificationSource({ ...opts, ...patch }).receive().catch((e: unknown) => e)) as SqsError;
    expect(err).toBeInstanceOf(SqsError);
    expect(err.status).toBe(status);
    expect(err.type).toContain(type);
  });

  it('refuses a body changed after signing', async () => {
    const url = new URL(opts.endpoint!);
    const signed = JSON.stringify({ QueueUrl: opts.queueUrl, MaxNumberOfMessages: 1 });
    const headers = signedHeaders({ url, body: signed, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ReceiveMessage' }, region: opts.region, service: 'sqs', credentials: opts });
    const res = await fetch(url, { method: 'POST', headers, body: signed.replace('"MaxNumberOfMessages":1', '"MaxNumberOfMessages":10') });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { __type: string }).__type).toContain('InvalidSignatureException');
  });

  it('answers a long poll as soon as an order change is published', async () => {
    const source = new SqsNotificationSource({ ...opts, waitTimeSeconds: 20 });
    const t0 = Date.now();
    const pending = source.receive();
    const { orderId } = await sb.placeOrder('MUG-1', 1);
    const messages = await pending;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]!.body).Payload.OrderChangeNotification.AmazonOrderId).toBe(orderId);
    await source.ack(messages[0]!);
    expect(sb.queueDepth()).toBe(0);
  });

  it('returns nothing from an empty queue once the wait is over', async () => {
    const source = new SqsNotificationSource({ ...opts, waitTimeSeconds: 1 });
    const t0 = Date.now();
    expect(await source.receive()).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('redelivers a message not deleted within its visibility timeout, and ignores the stale receipt', async () => {
    const source = new SqsNotificationSource({ ...opts, visibilityTimeoutSeconds: 0 });
    await sb.placeOrder('MUG-1', 1);
    const [first] = await source.receive();
    const [again] = await source.receive();
    expect(again!.messageId).toBe(first!.messageId);
    expect(again!.receiptHandle).not.toBe(first!.receiptHandle);
    await source.ack(first!); // stale: ReceiptHandleIsInvalid, swallowed
    expect(sb.queueDepth()).toBe(1);
    await source.ack(again!);
    expect(sb.queueDepth()).toBe(0);
  });
});
