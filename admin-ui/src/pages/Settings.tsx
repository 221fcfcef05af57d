import { __ } from '@wordpress/i18n';

export function Settings() {
  return <p>{__('Coming soon.', 'stockline')}</p>;
}
