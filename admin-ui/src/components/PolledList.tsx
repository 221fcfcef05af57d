/**
 * A polled `{ items, nextCursor }` list from the companion: LoadState's loading, failed and empty
 * states around the rows, and for a cursor-paged list the pager under them.
 */
import type { ReactNode } from 'react';
import type { useCursorPager } from '../hooks/useCursorPager';
import type { Polled } from '../hooks/usePolling';
import { LoadState } from './LoadState';
import { Pager } from './Pager';

interface Props {
  list: Polled<{ items: unknown[]; nextCursor?: string | null }>;
  /** The list's cursor paging; without it there is no pager. */
  pager?: ReturnType<typeof useCursorPager>;
  /** Said instead of the rows when the list is empty. */
  empty: ReactNode;
  children: ReactNode;
}

export function PolledList({ list, pager, empty, children }: Props) {
  return (
    <LoadState
      loading={list.loading}
      error={list.error}
      hasData={list.data !== undefined}
      isEmpty={list.data?.items.length === 0}
      empty={empty}
      onRetry={() => void list.reload()}
    >
      {children}
      {pager && <Pager page={pager.page} hasPrevious={pager.hasPrevious} nextCursor={list.data?.nextCursor} onPrevious={pager.previous} onNext={pager.next} />}
    </LoadState>
  );
}
