/** Asks before an action that cannot be undone; focus starts on the safe choice. */
import { Button, Modal } from '@wordpress/components';
import { __ } from '@wordpress/i18n';
import type { ReactNode } from 'react';

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmModal({ title, children, confirmLabel, busy, onConfirm, onCancel }: Props) {
  return (
    <Modal className="stockline-modal" title={title} onRequestClose={onCancel}>
      <div>{children}</div>
      <div className="stockline-toolbar" style={{ justifyContent: 'flex-end', marginTop: 16 }}>
        <Button variant="tertiary" onClick={onCancel}>
          {__('Cancel', 'stockline')}
        </Button>
        <Button variant="primary" isDestructive isBusy={busy} disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </Modal>
  );
}
