import { __ } from '@wordpress/i18n';

export function Incidents() {
  return <p>{__('Coming soon.', 'stockline')}</p>;
}
