// The plugin's admin page is built from admin-ui/src into plugin/build/ (git-ignored). `npm start`
// builds it when it is missing or older than its sources, so the plugin folder is ready to copy
// into a WordPress site after the one command; `npm test` always builds it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { root, say } from './system.mjs';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds plugin/build/ now (webpack's report shown unless `quiet`; errors always); true when it built. */
export function buildAdminPage({ quiet = false } = {}) {
  const r = spawnSync('npm', ['run', '--silent', 'build:ui'], { cwd: root, stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'inherit'] });
  if (r.status !== 0) return false;
  // webpack leaves an unchanged file as it was: mark the build as newer than the sources it came from.
  const built = join(root, 'plugin', 'build', 'index.asset.php');
  if (existsSync(built)) utimesSync(built, new Date(), new Date());
  return true;
}

/** Builds plugin/build/ when stale; never stops the caller (the page itself says when it is missing). */
export function ensureAdminPageBuilt() {
  const built = join(root, 'plugin', 'build', 'index.asset.php');
  if (existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(root, 'admin-ui', 'src'))) return;
  say('building the plugin’s admin page (plugin/build/)…');
  if (!buildAdminPage({ quiet: true })) say('the admin page did not build (see above); the companion starts anyway. Retry with: npm run build:ui');
}
