/**
 * The page's own few rules, injected once as a <style> element so the plugin only enqueues
 * one script (plus WordPress's own `wp-components` stylesheet).
 */
const CSS = `
.stockline-admin { max-width: 1280px; margin-right: 20px; }
.stockline-title { font-size: 23px; font-weight: 400; margin: 16px 0 8px; }
.stockline-tabs .components-tab-panel__tabs { border-bottom: 1px solid #dcdcde; margin-bottom: 16px; flex-wrap: wrap; }
.stockline-view { padding-bottom: 32px; }
.stockline-banners .components-notice { margin: 0 0 12px; }
.stockline-summary { display: flex; gap: 32px; margin: 0 0 16px; }
.stockline-summary dt { color: #50575e; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.stockline-summary dd { margin: 2px 0 0; font-size: 15px; }
.stockline-channels { display: grid; grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); gap: 16px; }
.stockline-channel .components-card__header { display: flex; justify-content: space-between; align-items: center; }
.stockline-channel__name { margin: 0; font-size: 15px; }
.stockline-badge { border-radius: 2px; padding: 2px 8px; font-size: 12px; font-weight: 600; }
.stockline-badge--ok { background: #edfaef; color: #005c12; }
.stockline-badge--degraded, .stockline-badge--paused { background: #fcf9e8; color: #614200; }
.stockline-badge--down, .stockline-badge--stalled { background: #fcf0f1; color: #8a2424; }
.stockline-badge--sandbox { background: #f0f0f1; color: #3c434a; margin-left: 6px; }
.stockline-stats { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px 12px; margin: 0 0 8px; }
.stockline-stat dt { color: #50575e; font-size: 11px; }
.stockline-stat dd { margin: 0; font-size: 14px; font-weight: 600; }
.stockline-channel__error, .stockline-channel__note { margin: 8px 0 0; font-size: 13px; }
.stockline-muted { color: #646970; }
.stockline-loading { display: flex; align-items: center; gap: 8px; padding: 16px 0; }
.stockline-empty { color: #50575e; font-style: italic; }
.stockline-admin .components-base-control, .stockline-modal .components-base-control { margin-bottom: 16px; }
.stockline-toolbar { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-end; margin-bottom: 12px; }
.stockline-toolbar .components-base-control { margin-bottom: 0; }
.stockline-table { border-collapse: collapse; width: 100%; background: #fff; }
.stockline-table th, .stockline-table td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #f0f0f1; vertical-align: top; }
.stockline-table th { font-weight: 600; background: #f6f7f7; }
.stockline-table td.num, .stockline-table th.num { text-align: right; font-variant-numeric: tabular-nums; }
.stockline-mismatch { color: #8a2424; font-weight: 600; }
.stockline-match { color: #005c12; }
.stockline-pager { display: flex; gap: 8px; margin-top: 12px; align-items: center; }
.stockline-row-actions { display: flex; gap: 4px; flex-wrap: wrap; }
.stockline-progress { height: 12px; background: #f0f0f1; border-radius: 6px; overflow: hidden; max-width: 480px; }
.stockline-progress > div { height: 100%; background: #2271b1; transition: width .3s; }
.stockline-section { background: #fff; border: 1px solid #dcdcde; padding: 16px; margin-bottom: 16px; max-width: 760px; }
.stockline-table .components-base-control { margin-bottom: 0; }
.stockline-section h2 { margin-top: 0; font-size: 16px; }
.stockline-activity li { padding: 6px 0; border-bottom: 1px solid #f0f0f1; list-style: none; }
.stockline-activity { margin: 0; padding: 0; }
.stockline-activity time, .stockline-activity .stockline-recorded { color: #646970; font-size: 12px; margin-right: 8px; }
.stockline-activity .stockline-recorded::before { content: "· "; }
`;

let injected = false;

export function injectStyles(): void {
  if (injected || document.getElementById('stockline-admin-css')) return;
  injected = true;
  const style = document.createElement('style');
  style.id = 'stockline-admin-css';
  style.textContent = CSS;
  document.head.appendChild(style);
}
