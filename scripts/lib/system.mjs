// Idempotent set-up shared by `npm start`, `npm test` and `npm run bench`. Plain Node (no
// dependencies) because it runs before node_modules exists.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

export function say(msg) {
  process.stdout.write(`[stockline] ${msg}\n`);
}

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** npm install when node_modules is missing or older than package.json / the lock file. */
export function ensureNpmPackages() {
  // A linked node_modules (a git worktree sharing another checkout's install) is managed there.
  if (existsSync(join(root, 'node_modules')) && lstatSync(join(root, 'node_modules')).isSymbolicLink()) return;
  const marker = join(root, 'node_modules', '.package-lock.json');
  const inputs = ['package.json', 'package-lock.json'].map((f) => join(root, f)).filter(existsSync);
  const fresh = existsSync(marker) && inputs.every((f) => statSync(f).mtimeMs <= statSync(marker).mtimeMs);
  if (fresh) return;
  say('installing npm packages…');
  // `npm install`, not `npm ci`, even in CI: it installs the exact versions of package-lock.json
  // just the same, but `npm ci` refuses a lock that lacks other platforms' optional binaries
  // (darwin/win32 builds of msgpackr-extract, unrs-resolver), which npm leaves out of the lock
  // when the registry here does not serve them.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm install failed (see above)');
}

/** A probe for ensureDebianPackages: PHP has this extension (php-mysql → mysqli, php-xml → xml…). */
export function phpExtension(name) {
  return () => has('php') && spawnSync('php', ['-r', `exit(extension_loaded('${name}') ? 0 : 1);`], { stdio: 'ignore' }).status === 0;
}

/**
 * Makes sure each Debian package is installed. `checks` maps package → a binary or path whose
 * presence means it is there, or a function that says so. Uses apt-get as root (or through
 * passwordless sudo); otherwise says exactly what to run and stops.
 */
export function ensureDebianPackages(checks) {
  const present = (probe) => (typeof probe === 'function' ? probe() : probe.startsWith('/') ? existsSync(probe) : has(probe));
  const missing = Object.entries(checks)
    .filter(([, probe]) => !present(probe))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const isRoot = process.getuid?.() === 0;
  const sudo = !isRoot && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (!has('apt-get') || (!isRoot && !sudo)) {
    say(`missing: ${missing.join(', ')}. Install them first, for example:`);
    say(`  sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  const pre = isRoot ? [] : ['sudo', '-n'];
  say(`installing ${missing.join(', ')} from Debian packages…`);
  const run = (args) => {
    const [cmd, ...rest] = [...pre, ...args];
    return spawnSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  run(['apt-get', 'update', '-qq']);
  const r = run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  if (r.status !== 0) {
    say(`apt-get could not install ${missing.join(' ')}; install them by hand and re-run.`);
    process.exit(1);
  }
}

export function redisCli(url, ...args) {
  return execFileSync('redis-cli', ['-u', url, ...args], { encoding: 'utf8' }).trim();
}
