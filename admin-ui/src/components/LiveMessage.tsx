/** The outcome of the last action, announced politely (saved, retried, paused …). */
import { Notice } from '@wordpress/components';

export interface Message {
  status: 'success' | 'error' | 'info';
  text: string;
}

export function LiveMessage({ message, onDismiss }: { message: Message | null; onDismiss: () => void }) {
  return (
    <div aria-live="polite" className="stockline-live">
      {message && (
        <Notice status={message.status} onRemove={onDismiss}>
          {message.text}
        </Notice>
      )}
    </div>
  );
}
