// `npm run bench -- <name> [args]`: set-up (npm, Redis), then bench/<name>.ts. Without a name, runs them all.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDebianPackages, ensureNpmPackages, root, say } from './lib/system.mjs';

ensureNpmPackages();
ensureDebianPackages({ 'redis-server': 'redis-server' });
const [name, ...rest] = process.argv.slice(2);
const all = readdirSync(join(root, 'bench')).filter((f) => /^[a-z]+\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, ''));
const names = name ? [name] : all;
for (const n of names) {
  const file = join(root, 'bench', `${n}.ts`);
  if (!existsSync(file)) {
    say(`no benchmark named "${n}"; choose one of: ${all.join(', ')}`);
    process.exit(2);
  }
  say(`benchmark: ${n}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file, ...rest], { cwd: root, stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
