/**
 * A 4xx about the body as a whole (too many events, wrong media type) that still names where
 * the problem is, like ValidationError does for 400s.
 */
import { StocklineError } from '../errors';

export class BodyError extends StocklineError {
  constructor(
    message: string,
    code: 'payload_too_large' | 'unsupported_media_type',
    statusCode: 413 | 415,
    readonly pointer: string,
  ) {
    super(message, code, statusCode, false, { pointer });
  }
}
