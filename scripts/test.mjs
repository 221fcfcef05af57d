// `npm test`: the same set-up as `npm start`, plus what the suites need (Chromium, WordPress
// core, and PHP + MariaDB to run that core natively), builds the admin page, then runs every
// vitest project. Extra args go to vitest.
import { spawnSync } from 'node:child_process';
import { ensureDebianPackages, ensureNpmPackages, phpExtension, root, say } from './lib/system.mjs';
import { buildAdminPage } from './lib/admin-build.mjs';

ensureNpmPackages();
ensureDebianPackages({
  'redis-server': 'redis-server',
  chromium: '/usr/bin/chromium',
  wordpress: '/usr/share/wordpress/wp-settings.php',
  // The plugin's tests run that WordPress on PHP + MariaDB (test/support/global-wordpress.ts).
  'php-cli': 'php',
  'php-mysql': phpExtension('mysqli'),
  'php-curl': phpExtension('curl'),
  'php-xml': phpExtension('xml'),
  'php-mbstring': phpExtension('mbstring'),
  'mariadb-server': '/usr/sbin/mariadbd', // sbin: not on a normal user's PATH
});

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

say('type-checking…');
run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']);
say('building the admin page…');
if (!buildAdminPage()) process.exit(1);
say('running the test suites…');
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
