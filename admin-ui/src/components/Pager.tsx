import { Button } from '@wordpress/components';
import { __, sprintf } from '@wordpress/i18n';

interface Props {
  page: number;
  /** How many pages there are, when the list says how many items it has. */
  pages?: number;
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}

export function Pager({ page, pages, hasPrevious, nextCursor, onPrevious, onNext }: Props) {
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="stockline-pager" aria-label={__('Pages', 'stockline')}>
      <Button variant="secondary" disabled={!hasPrevious} onClick={onPrevious}>
        {__('Previous page', 'stockline')}
      </Button>
      <span>{pages ? sprintf(__('Page %1$d of %2$d', 'stockline'), page, Math.max(page, pages)) : sprintf(__('Page %d', 'stockline'), page)}</span>
      <Button variant="secondary" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        {__('Next page', 'stockline')}
      </Button>
    </nav>
  );
}
