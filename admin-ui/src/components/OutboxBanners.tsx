/**
 * What the store's outbox needs from the owner, as Overview banners: a setting that stops
 * all sending, paid orders the ledger refused (no units left when they reached it), and
 * changes the companion rejected. Each offers the action that resolves it.
 */
import { Button } from '@wordpress/components';
import { __, _n, sprintf } from '@wordpress/i18n';
import type { ReactNode } from 'react';
import { api } from '../api/endpoints';
import type { AdminStatus, OutboxEntry } from '../api/types';
import { useAction } from '../hooks/useAction';
import type { Banner } from './Banners';
import { errorSentence } from './LoadState';

function ActionButton({ label, run, onDone }: { label: string; run: () => Promise<unknown>; onDone: () => void }) {
  const action = useAction(run);
  return (
    <>
      <Button
        variant="secondary"
        isBusy={action.busy}
        disabled={action.busy}
        onClick={() => void action.run().then((r) => r !== undefined && onDone())}
      >
        {label}
      </Button>{' '}
      {action.error && <span role="alert">{errorSentence(action.error)}</span>}
    </>
  );
}

function entryLine(e: OutboxEntry): string {
  const what = e.order !== null ? sprintf(__('Order #%d', 'stockline'), e.order) : e.skus.join(', ') || e.eventId;
  return `${what}: ${e.error ?? e.result}`;
}

function withActions(text: ReactNode, entries: OutboxEntry[], actions: ReactNode): ReactNode {
  return (
    <>
      <p>{text}</p>
      {entries.length > 0 && (
        <ul>
          {entries.map((e) => (
            <li key={e.eventId}>{entryLine(e)}</li>
          ))}
        </ul>
      )}
      <p>{actions}</p>
    </>
  );
}

export function outboxBanners(status: AdminStatus | undefined, onChange: () => void): Banner[] {
  if (!status) return [];
  const out: Banner[] = [];
  if (status.problem) {
    out.push({ id: 'settings-problem', status: 'error', message: sprintf(__('Stockline is not sending stock changes. %s', 'stockline'), status.problem) });
  }
  const refused = status.outbox.refused ?? 0;
  if (refused > 0) {
    out.push({
      id: 'outbox-refused',
      status: 'error',
      message: withActions(
        sprintf(
          _n(
            '%d store change was refused: when it reached Stockline no units were left for it (other channels had sold them meanwhile, for instance while the companion could not be reached), so a paid order may not be counted and its units may be sold twice. Record new stock here (Stock → Adjust → Units to add), not in the WooCommerce product, whose count already has the order taken off; then send it again. Or cancel the order.',
            '%d store changes were refused: when they reached Stockline no units were left for them (other channels had sold them meanwhile, for instance while the companion could not be reached), so paid orders may not be counted and their units may be sold twice. Record new stock here (Stock → Adjust → Units to add), not in the WooCommerce product, whose count already has the orders taken off; then send them again. Or cancel the orders.',
            refused,
            'stockline',
          ),
          refused,
        ),
        status.outbox.refusedLatest ?? [],
        <>
          <ActionButton label={__('Send refused changes again', 'stockline')} run={() => api.retryOutbox('refused')} onDone={onChange} />
          <ActionButton label={__('Dismiss (I have dealt with them)', 'stockline')} run={api.dismissRefused} onDone={onChange} />
        </>,
      ),
    });
  }
  // Changes waiting because delivery keeps failing (a wrong signing secret, the companion
  // answering 5xx): the count alone did not say why. Unreachable has its own banner, a settings
  // problem too.
  const { pending, lastError, oldestAgeSeconds } = status.outbox;
  if (pending > 0 && lastError && status.connected && !status.problem && (oldestAgeSeconds ?? 0) >= 30) {
    out.push({
      id: 'outbox-stuck',
      status: 'error',
      message: sprintf(
        _n(
          '%1$d store change is not reaching the companion: %2$s. It is kept and sent again automatically; channels do not hear of it until then.',
          '%1$d store changes are not reaching the companion: %2$s. They are kept and sent again automatically; channels do not hear of them until then.',
          pending,
          'stockline',
        ),
        pending,
        /401|signature/i.test(lastError) ? `${lastError} — ${__('check the signing secret in Settings (Test connection says whether the companion takes it)', 'stockline')}` : lastError,
      ),
    });
  }
  if (status.outbox.failed > 0) {
    out.push({
      id: 'outbox-failed',
      status: 'warning',
      message: withActions(
        sprintf(
          _n(
            '%d store change was rejected by the companion and is set aside.',
            '%d store changes were rejected by the companion and are set aside.',
            status.outbox.failed,
            'stockline',
          ),
          status.outbox.failed,
        ),
        status.outbox.failedLatest ?? [],
        <ActionButton label={__('Send rejected changes again', 'stockline')} run={() => api.retryOutbox('failed')} onDone={onChange} />,
      ),
    });
  }
  return out;
}
