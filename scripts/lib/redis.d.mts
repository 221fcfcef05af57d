// Types for redis.mjs, so the TypeScript tests can import it.
export function startLocalRedis(opts: { dataDir: string; port: number; persistent?: boolean }): Promise<string>;
