import { __ } from '@wordpress/i18n';

export function Activity() {
  return <p>{__('Coming soon.', 'stockline')}</p>;
}
