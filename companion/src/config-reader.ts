/**
 * The typed readers loadConfig is built from (config.ts): each reads one variable of one env
 * object and, when it is wrong, throws a ConfigError whose sentence names the variable.
 */
export type Env = Record<string, string | undefined>;

/** Thrown for any bad variable; the message is meant to be printed as is. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const MIN_SECRET_LENGTH = 16;

/** Small typed readers over one env object; each failure names its variable. */
export function reader(env: Env) {
  const raw = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const fail = (name: string, sentence: string): never => {
    throw new ConfigError(`${name} ${sentence}`, name);
  };
  const str = (name: string, fallback?: string): string => raw(name) ?? fallback ?? fail(name, 'must be set.');
  const secret = (name: string, what: string): string => {
    const v = raw(name) ?? fail(name, `must be set to ${what}.`);
    if (v.length < MIN_SECRET_LENGTH) fail(name, `must be at least ${MIN_SECRET_LENGTH} characters long (${what}); it has ${v.length}.`);
    return v;
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const v = raw(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      fail(name, `must be a whole number from ${min} to ${max}; it is "${v}".`);
    }
    return Number(v);
  };
  const num = (name: string, fallback: number | undefined, min: number, max: number): number | undefined => {
    const v = raw(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) fail(name, `must be a number from ${min} to ${max}; it is "${v}".`);
    return n;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = raw(name)?.toLowerCase();
    if (v === undefined) return fallback;
    if (['on', 'true', '1', 'yes'].includes(v)) return true;
    if (['off', 'false', '0', 'no'].includes(v)) return false;
    return fail(name, `must be on or off; it is "${env[name]}".`);
  };
  const url = (name: string, fallback?: string, protocols = ['http:', 'https:']): string => {
    const v = str(name, fallback);
    let parsed: URL | undefined;
    try {
      parsed = new URL(v);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol)) {
      // The value is not quoted: URLs often carry credentials (redis://:password@…, webhook tokens).
      fail(name, `must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}.`);
    }
    return v;
  };
  const optionalUrl = (name: string): string | undefined => (raw(name) === undefined ? undefined : url(name));
  return { raw, fail, str, secret, int, num, bool, url, optionalUrl };
}

export type Reader = ReturnType<typeof reader>;
