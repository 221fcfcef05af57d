/**
 * The three states every view shares before it has rows to show: loading, failed, empty.
 * Errors name what failed in a sentence and offer to try again.
 */
import { Button, Notice, Spinner } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

/** A failure in a sentence the owner can act on. */
export function errorSentence(error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  if (error.unreachable) return __('The Stockline companion cannot be reached. Check that it is running and that the URL in Settings is right.', 'stockline');
  if (error.code === 'rest_forbidden' || error.code === 'rest_cookie_invalid_nonce')
    return __('Your session has expired or you lack permission. Reload the page and log in again.', 'stockline');
  if (error.code === 'unauthorized') return __('The companion refused the admin token. Check it in Settings.', 'stockline');
  return error.message;
}

interface Props {
  loading: boolean;
  error: ApiError | undefined;
  /** Data is present (even if stale): show it, with the error above it. */
  hasData: boolean;
  isEmpty?: boolean;
  empty?: ReactNode;
  onRetry?: () => void;
  children?: ReactNode;
}

export function LoadState({ loading, error, hasData, isEmpty, empty, onRetry, children }: Props) {
  if (loading && !hasData) {
    return (
      <div className="stockline-loading" role="status">
        <Spinner />
        <span>{__('Loading…', 'stockline')}</span>
      </div>
    );
  }
  return (
    <>
      {error && (
        <Notice status="error" isDismissible={false}>
          <p>{errorSentence(error)}</p>
          {onRetry && (
            <Button variant="secondary" onClick={onRetry}>
              {__('Try again', 'stockline')}
            </Button>
          )}
        </Notice>
      )}
      {hasData && (isEmpty ? <p className="stockline-empty">{empty}</p> : children)}
    </>
  );
}
