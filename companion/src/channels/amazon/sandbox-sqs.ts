/**
 * The sandbox's ORDER_CHANGE queue spoken as Amazon SQS (JSON protocol at <sandbox>/sqs):
 * ReceiveMessage with long polling and visibility timeout, DeleteMessage, SigV4 checked against
 * the sandbox's AWS key. Error bodies follow SQS's JSON protocol (`__type`, `message`); the exact
 * status codes for auth failures are UNCONFIRMED.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AmazonSandboxState } from './sandbox-state';
import { parseAuthorization, signature } from './sigv4';

export interface SqsSandboxOptions {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  accountId: string;
  queueName: string;
}

const MAX_SKEW_MS = 5 * 60_000;

function sqsError(reply: FastifyReply, status: number, type: string, message: string): FastifyReply {
  return reply.code(status).header('content-type', 'application/x-amz-json-1.0').send({ __type: type, message });
}

export function registerSqs(app: FastifyInstance, state: AmazonSandboxState, sqs: SqsSandboxOptions): void {
  app.post('/sqs', async (req, reply) => {
    const body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? {});
    const auth = parseAuthorization(req.headers.authorization);
    if (!auth) return sqsError(reply, 400, 'com.amazon.coral.service#MissingAuthenticationTokenException', 'Request is missing Authentication Token');
    if (auth.accessKeyId !== sqs.accessKeyId) {
      return sqsError(reply, 403, 'com.amazon.coral.service#UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    const date = String(req.headers['x-amz-date'] ?? '');
    const headers = Object.fromEntries(auth.signedHeaders.map((h) => [h, String(req.headers[h] ?? '')]));
    const expected = signature({
      method: req.method,
      path: req.url.split('?')[0]!,
      headers,
      signedHeaders: auth.signedHeaders,
      body,
      date,
      region: auth.region,
      service: auth.service,
      secretAccessKey: sqs.secretAccessKey,
    });
    if (expected !== auth.signature || auth.service !== 'sqs' || auth.region !== sqs.region || !auth.signedHeaders.includes('host')) {
      return sqsError(
        reply,
        403,
        'com.amazon.coral.service#InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
      );
    }
    const at = Date.parse(date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    if (!(Math.abs(Date.now() - at) <= MAX_SKEW_MS)) {
      return sqsError(reply, 403, 'com.amazon.coral.service#InvalidSignatureException', 'Signature expired: the request date is more than 5 minutes from now.');
    }

    const input = JSON.parse(body || '{}') as { QueueUrl?: string; MaxNumberOfMessages?: number; WaitTimeSeconds?: number; VisibilityTimeout?: number; ReceiptHandle?: string };
    if (!input.QueueUrl || !input.QueueUrl.endsWith(`/${sqs.accountId}/${sqs.queueName}`)) {
      return sqsError(reply, 400, 'com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.');
    }
    const target = String(req.headers['x-amz-target'] ?? '');
    if (target === 'AmazonSQS.DeleteMessage') {
      if (!input.ReceiptHandle || !state.deleteMessage(input.ReceiptHandle)) {
        return sqsError(reply, 400, 'com.amazonaws.sqs#ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
      }
      return reply.header('content-type', 'application/x-amz-json-1.0').send({});
    }
    if (target !== 'AmazonSQS.ReceiveMessage') return sqsError(reply, 400, 'com.amazon.coral.service#UnknownOperationException', `Unknown operation ${target}`);
    const max = input.MaxNumberOfMessages ?? 1;
    const wait = input.WaitTimeSeconds ?? 0;
    if (!Number.isInteger(max) || max < 1 || max > 10 || !Number.isInteger(wait) || wait < 0 || wait > 20) {
      return sqsError(reply, 400, 'com.amazonaws.sqs#InvalidParameterValue', 'MaxNumberOfMessages must be 1–10 and WaitTimeSeconds 0–20.');
    }
    // Long polling: answer as soon as something is visible, or empty when the wait is over.
    let gone = false;
    // The response's 'close' fires when the client hangs up (the request's fires once its body is read).
    reply.raw.once('close', () => (gone = true));
    const until = Date.now() + wait * 1000;
    const visibilityMs = input.VisibilityTimeout !== undefined ? input.VisibilityTimeout * 1000 : undefined;
    for (;;) {
      const messages = state.receive(max, visibilityMs);
      if (messages.length || Date.now() >= until || gone) {
        return reply.header('content-type', 'application/x-amz-json-1.0').send({
          Messages: messages.map((m) => ({ MessageId: m.messageId, ReceiptHandle: m.receiptHandle, Body: m.body })),
        });
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  });
}
