/**
 * ORDER_CHANGE notifications arrive through a queue (SQS or EventBridge → SQS in production).
 * `NotificationSource` is the pluggable part: the sandbox's SQS-like HTTP queue is one source, an
 * AWS SQS client would be another. Delivery is at least once; deduplication is the consumer's job.
 */
import type { OrderSnapshot } from './order-events';
import type { OrderChangeNotification, QueueMessage } from './wire';

export interface NotificationMessage {
  /** Queue-level id (a redelivery or duplicate has a new one; dedup uses NotificationId instead). */
  messageId: string;
  receiptHandle: string;
  body: string;
}

export interface NotificationSource {
  /** Waits up to the source's long-poll time; returns [] when nothing came. */
  receive(signal?: AbortSignal): Promise<NotificationMessage[]>;
  /** Deletes the message so it is not delivered again. */
  ack(msg: NotificationMessage): Promise<void>;
}

/** The Amazon sandbox's queue: POST /_sandbox/sqs/receive and /_sandbox/sqs/delete. */
export class SandboxQueueSource implements NotificationSource {
  constructor(
    private readonly url: string,
    private readonly opts: { waitMs?: number; pollMs?: number } = {},
  ) {}

  async receive(signal?: AbortSignal): Promise<NotificationMessage[]> {
    const until = Date.now() + (this.opts.waitMs ?? 1000);
    // Long polling, as SQS WaitTimeSeconds does: keep asking until something arrives or time is up.
    for (;;) {
      const res = await fetch(`${this.url.replace(/\/$/, '')}/_sandbox/sqs/receive?max=10`, { method: 'POST', signal });
      if (!res.ok) throw new Error(`queue receive answered ${res.status}`);
      const { messages } = (await res.json()) as { messages: QueueMessage[] };
      if (messages.length > 0 || Date.now() >= until || signal?.aborted) return messages;
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 50));
    }
  }

  async ack(msg: NotificationMessage): Promise<void> {
    const res = await fetch(`${this.url.replace(/\/$/, '')}/_sandbox/sqs/delete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ receiptHandle: msg.receiptHandle }),
    });
    // 400 = already deleted or the visibility timeout passed; either way nothing to keep.
    if (!res.ok && res.status !== 400) throw new Error(`queue delete answered ${res.status}`);
  }
}

/** The order snapshot an ORDER_CHANGE carries, or null for anything else. */
export function parseOrderChange(body: string): { notificationId: string; snapshot: OrderSnapshot } | null {
  let n: OrderChangeNotification;
  try {
    n = JSON.parse(body) as OrderChangeNotification;
  } catch {
    return null;
  }
  const o = n?.Payload?.OrderChangeNotification;
  const id = n?.NotificationMetadata?.NotificationId;
  if (n?.NotificationType !== 'ORDER_CHANGE' || !o || !id || o.Summary?.FulfillmentType === 'AFN') return null;
  return {
    notificationId: id,
    snapshot: {
      orderId: o.AmazonOrderId,
      status: o.Summary.OrderStatus,
      lines: (o.Summary.OrderItems ?? []).map((i) => ({ sku: i.SellerSKU, qty: i.Quantity })),
      occurredAt: o.OrderChangeTrigger?.TimeOfOrderChange ?? n.EventTime,
    },
  };
}
