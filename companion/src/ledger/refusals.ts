/**
 * Maps a refused EventResult to its typed error (errors.ts), for callers that answer one event
 * alone with an HTTP status instead of a per-event result.
 */
import {
  InsufficientStockError,
  RefusalError,
  StaleEventError,
  UnknownOrderError,
  UnknownReservationError,
  VersionConflictError,
} from '../errors';
import type { EventResult } from '../schemas/stock';

type Shortages = { shortages: { sku: string; requested: number; available: number }[] };

export function refusalError(r: EventResult): RefusalError {
  const message = r.message ?? `event ${r.id} was refused (${r.code ?? 'refused'})`;
  const details = { ...(r.details ?? {}), stock: r.stock };
  switch (r.code) {
    case 'insufficient_stock':
      return new InsufficientStockError(message, { ...(details as unknown as Shortages), ...details });
    case 'stale_event':
      return new StaleEventError(message, details);
    case 'version_conflict':
      return new VersionConflictError(message, details);
    case 'unknown_reservation':
      return new UnknownReservationError(message, details);
    case 'unknown_order':
      return new UnknownOrderError(message, details);
    default:
      return new RefusalError(message, 'unknown_sku', 404, details);
  }
}
