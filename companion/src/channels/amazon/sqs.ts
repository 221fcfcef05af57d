/**
 * ORDER_CHANGE from an Amazon SQS queue (the destination SP-API Notifications deliver to),
 * through SQS's JSON protocol (`X-Amz-Target: AmazonSQS.ReceiveMessage` / `DeleteMessage`)
 * signed with SigV4. Long polling (WaitTimeSeconds ≤ 20) keeps latency low without busy polling.
 * The Amazon sandbox serves the same protocol at <sandbox>/sqs and checks the signature.
 */
import type { NotificationMessage, NotificationSource } from './notifications';
import { signedHeaders, type AwsCredentials } from './sigv4';

export interface SqsSourceOptions extends AwsCredentials {
  queueUrl: string;
  region: string;
  /** SQS endpoint; default https://sqs.<region>.amazonaws.com (the sandbox: <url>/sqs). */
  endpoint?: string;
  /** 0–20 s of long polling per receive (default 20). */
  waitTimeSeconds?: number;
  /** How long a received message stays hidden before it is redelivered (default: the queue's). */
  visibilityTimeoutSeconds?: number;
}

interface SqsMessage {
  MessageId: string;
  ReceiptHandle: string;
  Body: string;
}

export class SqsError extends Error {
  constructor(readonly type: string, message: string, readonly status: number) {
    super(`SQS ${type}: ${message}`);
    this.name = 'SqsError';
  }
}

export class SqsNotificationSource implements NotificationSource {
  private readonly endpoint: URL;

  constructor(private readonly opts: SqsSourceOptions) {
    this.endpoint = new URL(opts.endpoint ?? `https://sqs.${opts.region}.amazonaws.com/`);
  }

  async receive(signal?: AbortSignal): Promise<NotificationMessage[]> {
    const out = await this.call<{ Messages?: SqsMessage[] }>(
      'ReceiveMessage',
      {
        QueueUrl: this.opts.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: this.opts.waitTimeSeconds ?? 20,
        ...(this.opts.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: this.opts.visibilityTimeoutSeconds } : {}),
      },
      signal,
    );
    return (out.Messages ?? []).map((m) => ({ messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body }));
  }

  async ack(msg: NotificationMessage): Promise<void> {
    try {
      await this.call('DeleteMessage', { QueueUrl: this.opts.queueUrl, ReceiptHandle: msg.receiptHandle });
    } catch (err) {
      // The visibility timeout passed and someone received it again: nothing of ours to delete.
      if (err instanceof SqsError && /ReceiptHandleIsInvalid/.test(err.type)) return;
      throw err;
    }
  }

  private async call<T>(action: string, payload: object, signal?: AbortSignal): Promise<T> {
    const body = JSON.stringify(payload);
    const headers = signedHeaders({
      url: this.endpoint,
      body,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${action}` },
      region: this.opts.region,
      service: 'sqs',
      credentials: this.opts,
    });
    const timeout = AbortSignal.timeout(((this.opts.waitTimeSeconds ?? 20) + 10) * 1000);
    const res = await fetch(this.endpoint, { method: 'POST', headers, body, signal: signal ? AbortSignal.any([timeout, signal]) : timeout });
    const text = await res.text();
    const json = (text ? JSON.parse(text) : {}) as T & { __type?: string; message?: string };
    if (!res.ok) throw new SqsError(json.__type ?? `HTTP ${res.status}`, json.message ?? text.slice(0, 200), res.status);
    return json;
  }
}
