// Reports the admin page's weight: plugin/build/index.js gzipped. WordPress's shared packages
// (@wordpress/*, react) are already left out of the file by wp-scripts' dependency
// extraction, so this is what the page adds on top of WordPress. Writes bench/results/bundle.json.
// Usage: node scripts/lib/bundle-size.mjs   (after `npm run build:ui`)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const file = join(root, 'plugin', 'build', 'index.js');
const assetFile = join(root, 'plugin', 'build', 'index.asset.php');
const TARGET_BYTES = 150 * 1024;

if (!existsSync(file)) {
  console.error('plugin/build/index.js is missing; run `npm run build:ui` first.');
  process.exit(1);
}
const raw = readFileSync(file);
const gzipped = gzipSync(raw, { level: 9 }).length;
// The WordPress script handles the page relies on instead of bundling (from index.asset.php).
const asset = existsSync(assetFile) ? readFileSync(assetFile, 'utf8') : '';
const externals = [...(asset.match(/'dependencies' => array\(([^)]*)\)/)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);

const kb = (n) => (n / 1024).toFixed(1);
const result = {
  file: 'plugin/build/index.js',
  bytes: raw.length,
  gzipBytes: gzipped,
  targetGzipBytes: TARGET_BYTES,
  withinTarget: gzipped < TARGET_BYTES,
  externals,
  measuredAt: new Date().toISOString(),
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'bundle.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(
  `admin page bundle: ${kb(raw.length)} kB raw, ${kb(gzipped)} kB gzipped (target < ${kb(TARGET_BYTES)} kB) ${result.withinTarget ? 'OK' : 'OVER TARGET'}; WordPress provides: ${externals.join(', ')}`,
);
if (!result.withinTarget) process.exitCode = 1;
