/**
 * Cursor paging for the companion's `{ items, nextCursor }` lists: remembers the cursors of
 * the pages already seen so "Previous" works without the server keeping state.
 */
import { useCallback, useState } from '@wordpress/element';

export function useCursorPager() {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  const cursor = stack[stack.length - 1] ?? null;
  const next = useCallback((nextCursor: string) => setStack((s) => [...s, nextCursor]), []);
  const previous = useCallback(() => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)), []);
  const reset = useCallback(() => setStack([null]), []);
  return { cursor, page: stack.length, next, previous, reset, hasPrevious: stack.length > 1 };
}
