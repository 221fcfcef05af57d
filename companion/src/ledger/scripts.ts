/**
 * Loads the ledger's Lua scripts by file name (lua/<verb>-<numkeys>.lua), resolves
 * `--- @include "<name>"` lines against lua/includes/, and runs them with EVALSHA. The SHA is
 * computed locally, so the first call needs no round trip; when Redis answers NOSCRIPT (restart,
 * SCRIPT FLUSH, a fresh replica) the script is loaded and the call retried once.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { pasteIncludes } from '../lua-includes';

const LUA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'lua');

/** The operations one event can run; batch-n.lua carries all of them (group commit). */
export const EVENT_SCRIPTS = ['reserve-5', 'release-5', 'confirm-7', 'cancel-4', 'ship-4', 'receive-3', 'adjust-3'] as const;

export const SCRIPT_NAMES = [
  'reserve-5',
  'release-5',
  'confirm-7',
  'cancel-4',
  'ship-4',
  'receive-3',
  'adjust-3',
  'pause-3',
  'expire-3',
  'batch-n',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

export interface Script {
  name: ScriptName;
  numKeys: number;
  source: string;
  sha: string;
}

/** One script call: what the pipeline and the single-call path both execute. */
export interface ScriptCall {
  name: ScriptName;
  keys: string[];
  args: (string | number)[];
}

const readLua = (file: string) => readFileSync(join(LUA_DIR, file), 'utf8');

/**
 * `--- @include "<name>"` pastes lua/includes/<name>.lua once per script; `--- @include-ops` (the
 * group commit) pastes every event script as a function in `ops`, keyed by name. Their own
 * includes are already in place by then, so each body reuses the helpers pasted above it.
 */
function resolveIncludes(source: string, seen: Set<string>): string {
  return pasteIncludes(source, (name) => readLua(join('includes', `${name}.lua`)), seen)
    .replace(/^--- @include-ops$/m, () =>
      ['local ops = {}', ...EVENT_SCRIPTS.map((n) => `ops['${n}'] = function()\n${resolveIncludes(readLua(`${n}.lua`), seen)}\nend`)].join('\n'),
    );
}

export function readScript(name: ScriptName): Script {
  const source = resolveIncludes(readLua(`${name}.lua`), new Set());
  // `-n`: the number of keys varies per call (batch-n.lua).
  const numKeys = name.endsWith('-n') ? -1 : Number(name.slice(name.lastIndexOf('-') + 1));
  return { name, numKeys, source, sha: createHash('sha1').update(source).digest('hex') };
}

const isNoScript = (err: unknown) => err instanceof Error && err.message.startsWith('NOSCRIPT');

export interface ScriptRunner {
  /** SCRIPT LOAD of every script (readiness). */
  loadAll(): Promise<void>;
  run(call: ScriptCall): Promise<unknown>;
  /** Runs calls in one pipeline, in order; a per-call Redis error is returned in place, not thrown. */
  runMany(calls: ScriptCall[]): Promise<(unknown | Error)[]>;
}

export function createScriptRunner(redis: Redis): ScriptRunner {
  const scripts = new Map<ScriptName, Script>(SCRIPT_NAMES.map((n) => [n, readScript(n)]));
  const get = (name: ScriptName) => {
    const s = scripts.get(name);
    if (!s) throw new Error(`unknown ledger script ${name}`);
    return s;
  };
  const argv = (s: Script, call: ScriptCall) => {
    if (s.numKeys >= 0 && call.keys.length !== s.numKeys) throw new Error(`${s.name} takes ${s.numKeys} keys, got ${call.keys.length}`);
    return [s.sha, call.keys.length, ...call.keys, ...call.args] as const;
  };
  // Scripts known to be in this connection's script cache. Redis loses the cache only on restart or
  // failover (both reconnect, so 'ready' clears the set) or on an operator's SCRIPT FLUSH.
  const loaded = new Set<ScriptName>();
  redis.on('ready', () => loaded.clear());
  const load = async (s: Script) => {
    await redis.script('LOAD', s.source);
    loaded.add(s.name);
  };

  return {
    async loadAll() {
      await Promise.all([...scripts.values()].map(load));
    },
    async run(call) {
      const s = get(call.name);
      try {
        const r = await redis.evalsha(...argv(s, call));
        loaded.add(s.name);
        return r;
      } catch (err) {
        if (!isNoScript(err)) throw err;
        await load(s);
        return redis.evalsha(...argv(s, call));
      }
    },
    async runMany(calls) {
      if (calls.length === 0) return [];
      // The usual case under load (one group, script cached): a plain EVALSHA, no pipeline object.
      if (calls.length === 1 && loaded.has(calls[0]!.name)) {
        try {
          return [await this.run(calls[0]!)];
        } catch (err) {
          return [err as Error];
        }
      }
      // A NOSCRIPT inside a pipeline would let later calls run before the failed one is retried,
      // breaking "in order"; so scripts not yet known to be cached are loaded at the head of the
      // same pipeline, ahead of every call that needs them.
      const missing = [...new Set(calls.map((c) => c.name))].filter((n) => !loaded.has(n)).map(get);
      const pipe = redis.pipeline();
      for (const s of missing) pipe.script('LOAD', s.source);
      for (const call of calls) pipe.evalsha(...argv(get(call.name), call));
      const replies = (await pipe.exec()) ?? [];
      replies.slice(0, missing.length).forEach(([err], i) => {
        if (err) throw err;
        loaded.add(missing[i]!.name);
      });
      const out: (unknown | Error)[] = replies.slice(missing.length).map(([err, res]) => err ?? res);
      // Only after an operator's SCRIPT FLUSH mid-batch: retry what failed (order across the flush is lost).
      for (let i = 0; i < out.length; i++) {
        if (!isNoScript(out[i])) continue;
        try {
          out[i] = await this.run(calls[i]!);
        } catch (err) {
          out[i] = err as Error;
        }
      }
      return out;
    },
  };
}
