/**
 * Screenshots of every view of the admin page on realistic data, in Debian's Chromium.
 * Builds the page (with React and @wordpress/components bundled, since there is no
 * WordPress here) next to WordPress's own admin CSS, then photographs each tab.
 *   npx tsx test/e2e/screenshots/capture.ts      → test/artifacts/screens/*.png (+ docs/screenshots/)
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const out = join(root, 'test', 'artifacts', 'screens');
const site = join(out, 'site');
const docs = join(root, 'docs', 'screenshots');
mkdirSync(site, { recursive: true });
mkdirSync(docs, { recursive: true });

await build({
  entryPoints: [join(root, 'test', 'e2e', 'screenshots', 'page.tsx')],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  outfile: join(site, 'page.js'),
  define: { 'process.env.NODE_ENV': '"production"', 'globalThis.IS_GUTENBERG_PLUGIN': 'false', 'globalThis.SCRIPT_DEBUG': 'false' },
  logLevel: 'warning',
});

const wp = '/usr/share/wordpress';
const css = [
  `${wp}/wp-includes/css/dashicons.min.css`,
  `${wp}/wp-admin/css/common.min.css`,
  `${wp}/wp-admin/css/forms.min.css`,
  join(root, 'node_modules', '@wordpress', 'components', 'build-style', 'style.css'),
].filter((f) => existsSync(f));
writeFileSync(
  join(site, 'index.html'),
  `<!doctype html><html><head><meta charset="utf-8"><title>Stockline ‹ Shop — WordPress</title>
${css.map((f) => `<link rel="stylesheet" href="${pathToFileURL(f).href}">`).join('\n')}
<style>body{background:#f0f0f1;margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Oxygen-Sans,Ubuntu,Cantarell,"Helvetica Neue",sans-serif;font-size:13px}
#wpcontent{margin-left:0;padding-left:20px}</style></head>
<body class="wp-admin wp-core-ui"><div id="wpcontent"><div class="wrap"><div id="stockline-admin-root"></div></div></div>
<script type="module" src="page.js"></script></body></html>`,
);

interface Shot {
  name: string;
  scenario: string;
  tab: string;
  /** Text that proves the view has its data. */
  ready: string;
  before?: (page: import('playwright-core').Page) => Promise<void>;
}

const shots: Shot[] = [
  { name: 'overview', scenario: 'healthy', tab: 'overview', ready: 'Flipkart' },
  { name: 'overview-degraded', scenario: 'degraded', tab: 'overview', ready: 'is degraded' },
  { name: 'stock', scenario: 'degraded', tab: 'stock', ready: 'TSHIRT-M' },
  {
    name: 'stock-adjust',
    scenario: 'healthy',
    tab: 'stock',
    ready: 'TSHIRT-M',
    before: async (page) => {
      await page.getByRole('button', { name: 'Adjust stock of MUG-RED' }).click();
      await page.getByLabel('New on-hand count').fill('30');
      await page.getByLabel(/^Reason/).fill('Delivery from supplier counted');
    },
  },
  { name: 'dead-letters', scenario: 'degraded', tab: 'dead-letters', ready: 'ECONNREFUSED' },
  { name: 'activity', scenario: 'healthy', tab: 'activity', ready: 'sold 2 × TSHIRT-M' },
  { name: 'incidents', scenario: 'degraded', tab: 'incidents', ready: 'MUG-BLUE oversold' },
  { name: 'getting-started', scenario: 'new', tab: 'getting-started', ready: '312 of 480 products' },
  { name: 'settings', scenario: 'healthy', tab: 'settings', ready: 'Channel buffers' },
];

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--allow-file-access-from-files'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  for (const shot of shots) {
    // A URL differing only in its #hash would not reload the page.
    await page.goto('about:blank');
    await page.goto(`${pathToFileURL(join(site, 'index.html')).href}?scenario=${shot.scenario}#tab=${shot.tab}`);
    await page.getByText(shot.ready, { exact: false }).first().waitFor({ timeout: 15_000 });
    if (shot.before) await shot.before(page);
    await page.waitForTimeout(250); // let the tab's second request (e.g. sync) paint; nothing to await on screen
    const file = join(out, `${shot.name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    copyFileSync(file, join(docs, `${shot.name}.png`));
    console.log(`screenshot: ${shot.name} → test/artifacts/screens/${shot.name}.png`);
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
} finally {
  await browser.close();
}
