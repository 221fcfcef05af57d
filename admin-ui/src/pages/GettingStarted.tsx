import { __ } from '@wordpress/i18n';

export function GettingStarted() {
  return <p>{__('Coming soon.', 'stockline')}</p>;
}
