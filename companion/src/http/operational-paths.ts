/**
 * Health, readiness and metrics answer at the root, where probes and scrapers look, and the same
 * under /v1 (design.md lists them with the API whose base is /v1); the OpenAPI document lists both.
 */
export function operationalPaths(path: string): string[] {
  return [path, `/v1${path}`];
}
