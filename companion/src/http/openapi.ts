/**
 * The OpenAPI document, generated from the routes' TypeBox schemas (@fastify/swagger), served
 * at /v1/openapi.json, with the docs UI at /v1/docs. Registered before any route so every
 * route registered afterwards (including the lead's plugins) is collected.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { OPTIONAL_BODY } from './validator';

type Operation = { requestBody?: { required?: boolean; content?: Record<string, { schema?: Record<string, unknown> }> } };

/** @fastify/swagger marks every body required; bodies our validator lets callers leave out are not. */
function markOptionalBodies(doc: { paths?: Record<string, Record<string, Operation>> }) {
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(ops)) {
      const content = op.requestBody?.content ?? {};
      if (Object.values(content).some((c) => c.schema?.[OPTIONAL_BODY] === true)) op.requestBody!.required = false;
    }
  }
  return doc;
}

export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Stockline companion API',
        description:
          'One true stock count for WooCommerce, Shopify, Amazon and Flipkart. Event writes are signed ' +
          '(X-Stockline-Signature); reads and admin calls carry Authorization: Bearer <admin token>. ' +
          'Every error is { code, message, pointer? }.',
        version,
      },
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer' },
          signature: { type: 'apiKey', in: 'header', name: 'X-Stockline-Signature' },
        },
      },
    },
    transformObject: (documentObject) => markOptionalBodies((documentObject as { openapiObject: object }).openapiObject) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/v1/docs' });
  app.get('/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
