import { useEffect, useState } from '@wordpress/element';

/** The value once it has stopped changing for `ms` (search boxes: one request per pause in typing). */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
