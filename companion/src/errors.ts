/**
 * Every failure Stockline reports carries a stable `code`, the HTTP status it maps to and
 * whether retrying the same request can succeed. Lua script refusals, validation and auth
 * failures all become one of these; the single Fastify error handler (http/error-handler.ts)
 * maps them to responses, so routes never catch to translate.
 */
export type RefusalCode =
  | 'insufficient_stock'
  | 'stale_event'
  | 'version_conflict'
  | 'unknown_reservation'
  | 'unknown_order'
  | 'unknown_sku';

export class StocklineError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly statusCode: number,
    readonly retryable: boolean,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
  /**
   * Whether the message may go to the caller as it is. A client error's message says what to fix;
   * our own failures' can name keys and scripts, so they answer a generic sentence unless a
   * subclass says its message is safe.
   */
  get exposeMessage(): boolean {
    return this.statusCode < 500;
  }
}

/** 400 naming the JSON pointer of the bad field and what to do about it. */
export class ValidationError extends StocklineError {
  constructor(message: string, readonly pointer: string, details?: Record<string, unknown>) {
    super(message, 'invalid_request', 400, false, { pointer, ...details });
  }
}

export class UnauthorizedError extends StocklineError {
  constructor(message: string) {
    super(message, 'unauthorized', 401, false);
  }
}

export class PayloadTooLargeError extends StocklineError {
  constructor(message: string) {
    super(message, 'payload_too_large', 413, false);
  }
}

export class NotFoundError extends StocklineError {
  /** `code`: a more telling one where design.md names it (`unknown_sku`), else `not_found`. */
  constructor(message: string, code = 'not_found') {
    super(message, code, 404, false);
  }
}

/** Business refusals: inside a batch they become per-event `refused` results, alone a 409/422. */
export class RefusalError extends StocklineError {
  constructor(message: string, readonly refusal: RefusalCode, statusCode: number, details?: Record<string, unknown>) {
    super(message, refusal, statusCode, false, details);
  }
}
export class InsufficientStockError extends RefusalError {
  constructor(message: string, details: { shortages: { sku: string; requested: number; available: number }[] }) {
    super(message, 'insufficient_stock', 409, details);
  }
}
export class StaleEventError extends RefusalError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 'stale_event', 409, details);
  }
}
export class VersionConflictError extends RefusalError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 'version_conflict', 409, details);
  }
}
export class UnknownReservationError extends RefusalError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 'unknown_reservation', 404, details);
  }
}
export class UnknownOrderError extends RefusalError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, 'unknown_order', 404, details);
  }
}

/**
 * 502: a channel could not answer a request a person is waiting on (e.g. the listings check).
 * Its message names the channel and the channel's own answer, which dead letters show too.
 */
export class ChannelUnavailableError extends StocklineError {
  constructor(channel: string, why: string) {
    super(`could not reach ${channel} for this: ${why}; try again in a moment`, 'channel_unavailable', 502, true, { channel });
  }
  override get exposeMessage(): boolean {
    return true;
  }
}
