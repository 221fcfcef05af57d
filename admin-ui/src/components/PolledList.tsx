/**
 * A polled `{ items, nextCursor }` list from the companion: LoadState's loading, failed and empty
 * states around the rows, and for a cursor-paged list the pager under them.
 */
import { __ } from '@wordpress/i18n';
import type { ReactNode } from 'react';
import type { useCursorPager } from '../hooks/useCursorPager';
import type { Polled } from '../hooks/usePolling';
import { LoadState } from './LoadState';
import { Pager } from './Pager';

interface Props {
  list: Polled<{ items: unknown[]; nextCursor?: string | null; total?: number }>;
  /** Items per page: with the list's `total`, the pager says how many pages there are. */
  pageSize?: number;
  /** The list's cursor paging; without it there is no pager. */
  pager?: ReturnType<typeof useCursorPager>;
  /** Said instead of the rows when the list is empty. */
  empty: ReactNode;
  /** Said when a bounded page found nothing yet and a cursor goes on (default: the audit's wording). */
  emptyWithMore?: ReactNode;
  children: ReactNode;
}

export function PolledList({ list, pager, pageSize, empty, emptyWithMore: moreText, children }: Props) {
  const total = list.data?.total;
  const pages = pageSize && total !== undefined ? Math.ceil(total / pageSize) : undefined;
  const pagerRow = pager && <Pager page={pager.page} pages={pages} hasPrevious={pager.hasPrevious} nextCursor={list.data?.nextCursor} onPrevious={pager.previous} onNext={pager.next} />;
  // The companion bounds the work of one request: a narrow filter over a long history can answer
  // a page with nothing on it yet and a cursor to look further back. That is not "nothing matches".
  const emptyWithMore = pager && list.data?.items.length === 0 && !!list.data.nextCursor;
  return (
    <LoadState
      loading={list.loading}
      error={list.error}
      hasData={list.data !== undefined}
      isEmpty={list.data?.items.length === 0 && !emptyWithMore}
      empty={empty}
      onRetry={() => void list.reload()}
    >
      {emptyWithMore ? (
        <p className="stockline-empty">{moreText ?? __('Nothing matches among the most recent entries looked at. The next page looks further back.', 'stockline')}</p>
      ) : (
        children
      )}
      {pagerRow}
    </LoadState>
  );
}
