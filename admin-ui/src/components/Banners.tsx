/** Page-level warnings, in a polite live region so screen readers hear them appear. */
import { Notice } from '@wordpress/components';
import type { ReactNode } from 'react';

export interface Banner {
  id: string;
  status: 'error' | 'warning' | 'info' | 'success';
  message: ReactNode;
}

export function Banners({ banners }: { banners: Banner[] }) {
  return (
    <div className="stockline-banners" aria-live="polite">
      {banners.map((b) => (
        <Notice key={b.id} status={b.status} isDismissible={false}>
          {b.message}
        </Notice>
      ))}
    </div>
  );
}
