import { __ } from '@wordpress/i18n';

export function Stock() {
  return <p>{__('Coming soon.', 'stockline')}</p>;
}
