import { __ } from '@wordpress/i18n';

export function DeadLetters() {
  return <p>{__('Coming soon.', 'stockline')}</p>;
}
