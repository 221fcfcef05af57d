/**
 * Per-channel buffers: hold back a fixed number, a percentage, and cap what is shown, so a
 * slow marketplace cannot sell the last units. The preview uses the companion's formula:
 * shown = min(maxShown, max(0, floor((available − buffer) × (1 − percent/100)))).
 */
import { Button, Notice, TextControl } from '@wordpress/components';
import { useEffect, useRef, useState } from '@wordpress/element';
import { __, sprintf } from '@wordpress/i18n';
import { api } from '../api/endpoints';
import type { Rule } from '../api/types';
import { useAction } from '../hooks/useAction';
import { channelLabel } from '../lib/format';
import { errorSentence } from './LoadState';

export function shownFor(available: number, rule: Rule): number {
  const afterBuffer = Math.max(0, Math.floor((available - (rule.buffer ?? 0)) * (1 - (rule.percent ?? 0) / 100)));
  return rule.maxShown !== undefined ? Math.min(rule.maxShown, afterBuffer) : afterBuffer;
}

const EXAMPLE_AVAILABLE = 20;

function toDraft(rule: Rule) {
  return {
    buffer: rule.buffer !== undefined ? String(rule.buffer) : '',
    percent: rule.percent !== undefined ? String(rule.percent) : '',
    maxShown: rule.maxShown !== undefined ? String(rule.maxShown) : '',
  };
}

function parse(d: ReturnType<typeof toDraft>): Rule | string {
  const rule: Rule = {};
  const fields: [keyof Rule, string, number][] = [
    ['buffer', d.buffer, Number.MAX_SAFE_INTEGER],
    ['percent', d.percent, 100],
    ['maxShown', d.maxShown, Number.MAX_SAFE_INTEGER],
  ];
  for (const [key, raw, max] of fields) {
    if (raw.trim() === '') continue;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > max || (key !== 'percent' && !Number.isInteger(n))) {
      return key === 'percent' ? __('Percent must be between 0 and 100.', 'stockline') : __('Buffer and maximum must be whole numbers of 0 or more.', 'stockline');
    }
    rule[key] = n;
  }
  return rule;
}

export function ChannelRuleRow({ channel, rule, onSaved }: { channel: string; rule: Rule; onSaved: () => void }) {
  const [draft, setDraft] = useState(toDraft(rule));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const save = useAction(api.saveChannelRule);
  // The draft follows the stored rule only when the rule changes (after a save, or a change made
  // elsewhere). Not on mount: that effect can run after a person's first keystroke on a busy
  // machine and put the old value back under their typing.
  const stored = `${rule.buffer}/${rule.percent}/${rule.maxShown}`;
  const shown = useRef(stored);
  useEffect(() => {
    if (stored === shown.current) return;
    shown.current = stored;
    setDraft(toDraft(rule));
  }, [stored]);
  const parsed = parse(draft);
  const name = channelLabel(channel);
  const set = (k: keyof ReturnType<typeof toDraft>) => (v: string) => {
    setSaved(false);
    setDraft((d) => ({ ...d, [k]: v }));
  };

  return (
    <tr>
      <th scope="row">{name}</th>
      <td>
        <TextControl __nextHasNoMarginBottom label={sprintf(__('%s: units held back', 'stockline'), name)} hideLabelFromVision type="number" min={0} value={draft.buffer} onChange={set('buffer')} />
      </td>
      <td>
        <TextControl __nextHasNoMarginBottom label={sprintf(__('%s: percent held back', 'stockline'), name)} hideLabelFromVision type="number" min={0} max={100} value={draft.percent} onChange={set('percent')} />
      </td>
      <td>
        <TextControl __nextHasNoMarginBottom label={sprintf(__('%s: most ever shown', 'stockline'), name)} hideLabelFromVision type="number" min={0} value={draft.maxShown} onChange={set('maxShown')} />
      </td>
      <td className="num">{typeof parsed === 'string' ? '—' : shownFor(EXAMPLE_AVAILABLE, parsed)}</td>
      <td>
        <Button
          variant="secondary"
          size="small"
          isBusy={save.busy}
          disabled={save.busy}
          aria-label={sprintf(__('Save %s buffer', 'stockline'), name)}
          onClick={async () => {
            if (typeof parsed === 'string') {
              setInvalid(parsed);
              return;
            }
            setInvalid(null);
            // Only the fields this row changed go over the rule as stored now: a save made meanwhile
            // in another tab (or through the API) keeps its other fields (a trial's second tab wiped
            // the first tab's buffer). The lead time, not edited here, is kept as stored.
            const stored = (await api.rules().catch(() => null))?.channels[channel] ?? rule;
            const next: Rule = { ...stored };
            for (const k of ['buffer', 'percent', 'maxShown'] as const) {
              if (parsed[k] === rule[k]) continue;
              if (parsed[k] === undefined) delete next[k];
              else next[k] = parsed[k];
            }
            if ((await save.run(channel, next)) !== undefined) {
              setSaved(true);
              onSaved();
            }
          }}
        >
          {__('Save', 'stockline')}
        </Button>
        <div aria-live="polite">
          {saved && <span className="stockline-match">{__('Saved', 'stockline')}</span>}
          {(invalid || save.error) && (
            <Notice status="error" isDismissible={false}>
              {invalid ?? errorSentence(save.error)}
            </Notice>
          )}
        </div>
      </td>
    </tr>
  );
}

export const RULES_EXAMPLE_AVAILABLE = EXAMPLE_AVAILABLE;
