/**
 * Health, readiness and metrics answer at the root, where probes and scrapers look, and the same
 * under /v1 (design.md lists them with the API whose base is /v1). The /v1 copies stay out of the
 * OpenAPI document, so each is documented once.
 */
export function operationalPaths(path: string): { path: string; hide: boolean }[] {
  return ['', '/v1'].map((prefix) => ({ path: `${prefix}${path}`, hide: prefix !== '' }));
}
