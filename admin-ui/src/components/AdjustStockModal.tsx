/**
 * "Adjust stock": set the on-hand count or add to it, always with a reason (it lands in the
 * audit trail). The plugin signs the resulting `stock.adjusted` event; the browser cannot.
 * Each intended change carries one request id, sent again unchanged when the owner saves it
 * again after a lost answer, so the companion applies it at most once.
 */
import { Button, Modal, Notice, RadioControl, TextControl } from '@wordpress/components';
import { useRef, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { StockState } from '../api/types';
import { useAction } from '../hooks/useAction';
import { errorSentence } from './LoadState';

interface Props {
  item: StockState;
  onDone: (message: string) => void;
  onCancel: () => void;
}

/** A refusal comes back as a 200 EventResult with status 'refused' when the plugin passes it through. */
function refusal(result: unknown): string | null {
  if (result && typeof result === 'object' && (result as { status?: unknown }).status === 'refused') {
    const r = result as { message?: string; code?: string };
    return r.message ?? r.code ?? __('The companion refused the adjustment.', 'stockline');
  }
  return null;
}

/** Random, and made with getRandomValues because randomUUID needs a secure (https) page. */
function newRequestId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return `dlg-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export function AdjustStockModal({ item, onDone, onCancel }: Props) {
  const [mode, setMode] = useState<'set' | 'add'>('set');
  const [quantity, setQuantity] = useState('');
  const [reason, setReason] = useState('');
  const [refused, setRefused] = useState<string | null>(null);
  const action = useAction(api.adjust);
  // Per dialog: the same change (mode, quantity, reason) keeps its id, a different one gets a new id.
  const requestIds = useRef(new Map<string, string>());

  const qty = Number(quantity);
  const validQty = quantity.trim() !== '' && Number.isInteger(qty) && (mode === 'add' ? qty !== 0 : qty >= 0);
  const canSubmit = validQty && reason.trim() !== '' && !action.busy;
  const resulting = mode === 'set' ? qty : item.onHand + qty;

  const submit = async () => {
    setRefused(null);
    const intent = `${mode}|${qty}|${reason.trim()}`;
    const requestId = requestIds.current.get(intent) ?? newRequestId();
    requestIds.current.set(intent, requestId);
    const result = await action.run({ sku: item.sku, mode, quantity: qty, reason: reason.trim(), requestId });
    if (result === undefined) return;
    const why = refusal(result);
    if (why) {
      setRefused(why);
      return;
    }
    onDone(sprintf(__('%1$s: on hand is now %2$d.', 'stockline'), item.sku, resulting));
  };

  return (
    <Modal className="stockline-modal" title={sprintf(__('Adjust stock of %s', 'stockline'), item.sku)} onRequestClose={onCancel}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (canSubmit) void submit();
        }}
      >
        <p>{sprintf(__('On hand now: %1$d (available %2$d).', 'stockline'), item.onHand, item.available)}</p>
        <RadioControl
          label={__('Change', 'stockline')}
          selected={mode}
          options={[
            { label: __('Set the on-hand count to', 'stockline'), value: 'set' },
            { label: __('Add to the on-hand count (negative removes)', 'stockline'), value: 'add' },
          ]}
          onChange={(v: string) => setMode(v === 'add' ? 'add' : 'set')}
        />
        <TextControl
          __nextHasNoMarginBottom
          label={mode === 'set' ? __('New on-hand count', 'stockline') : __('Units to add', 'stockline')}
          type="number"
          value={quantity}
          onChange={(v: string) => setQuantity(v)}
          help={validQty ? sprintf(__('On hand will be %d.', 'stockline'), resulting) : undefined}
        />
        <TextControl
          __nextHasNoMarginBottom
          label={__('Reason (required, kept in the activity log)', 'stockline')}
          value={reason}
          onChange={(v: string) => setReason(v)}
          required
        />
        {(action.error || refused) && (
          <Notice status="error" isDismissible={false}>
            {refused ?? (action.error ? errorSentence(action.error) : '')}
          </Notice>
        )}
        <div className="stockline-toolbar" style={{ justifyContent: 'flex-end', marginTop: 16 }}>
          <Button variant="tertiary" onClick={onCancel}>
            {__('Cancel', 'stockline')}
          </Button>
          <Button variant="primary" type="submit" disabled={!canSubmit} isBusy={action.busy}>
            {__('Save adjustment', 'stockline')}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
