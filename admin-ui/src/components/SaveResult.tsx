/** What a settings form says after saving: a dismissible success, or the error in plain words. */
import { Notice } from '@wordpress/components';
import { errorSentence } from './LoadState';

export function SaveResult({ saved, message, error, onDismiss }: { saved: boolean; message: string; error: unknown; onDismiss: () => void }) {
  return (
    <div aria-live="polite">
      {saved && (
        <Notice status="success" onRemove={onDismiss}>
          {message}
        </Notice>
      )}
      {Boolean(error) && (
        <Notice status="error" isDismissible={false}>
          {errorSentence(error)}
        </Notice>
      )}
    </div>
  );
}
