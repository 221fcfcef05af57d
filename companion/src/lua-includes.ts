/**
 * Redis runs one self-contained script per call, so shared Lua lives in include files pasted in
 * before loading: a line `--- @include "<name>"` becomes <name>.lua from the includes folder
 * (recursively, each file once per script). Used by the ledger's and propagation's scripts.
 */
export function pasteIncludes(source: string, readInclude: (name: string) => string, seen: Set<string> = new Set()): string {
  return source.replace(/^--- @include "([a-z0-9-]+)"$/gm, (_line, name: string) => {
    if (seen.has(name)) return '';
    seen.add(name);
    return pasteIncludes(readInclude(name), readInclude, seen);
  });
}
