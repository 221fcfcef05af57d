// Types for wordpress.mjs, so the TypeScript test harness and benchmark can import it.
export interface StartedWordPress {
  url: string;
  workDir: string;
  stop(): Promise<void>;
}
export function debianWordPressVersion(): string;
export function ensureWordPressCore(dataDir?: string): { core: string; version: string };
export function startWordPress(opts: {
  dir: string;
  port: number;
  mappings?: Record<string, string>;
  plugins?: string[];
  config?: Record<string, unknown>;
  quiet?: boolean;
  /** Start from a new install (the tests), not the site a previous run left. */
  fresh?: boolean;
}): Promise<StartedWordPress>;
export function startNativeWordPress(opts: {
  dir: string;
  port: number;
  links?: Record<string, string>;
  config?: Record<string, unknown>;
}): Promise<{ url: string; stop(): Promise<void> }>;
