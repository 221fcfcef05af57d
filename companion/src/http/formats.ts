/**
 * String formats for the TypeBox checker. TypeBox keeps formats in a process-wide registry, so
 * registering is idempotent and done once on import by every module that compiles schemas.
 */
import { FormatRegistry } from '@sinclair/typebox';

/** RFC 3339 date-time: a 'T' (or space), seconds, optional fraction, and a mandatory zone. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

export function isRfc3339(value: string): boolean {
  const m = RFC3339.exec(value);
  if (!m) return false;
  const [, y, mo, d, h, mi, s, , , zh, zm] = m;
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    Number(h) <= 23 &&
    Number(mi) <= 59 &&
    Number(s) <= 60 && // leap second
    (zh === undefined || (Number(zh) <= 23 && Number(zm) <= 59))
  );
}

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isRfc3339);
