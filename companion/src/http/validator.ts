/**
 * Fastify's validator compiler, backed by the TypeBox checker instead of Ajv, so every
 * validation failure has one error shape and passes through http/messages.ts. Query strings
 * and path parameters arrive as strings and are converted to the schema's types first.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';
import { toValidationError, type Part } from './messages';
import './formats';

export const OPTIONAL_BODY = 'x-optional-body';

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Compiles once per schema object (schemas are shared module constants). */
export function compile(schema: TSchema): TypeCheck<TSchema> {
  let check = cache.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    cache.set(schema, check);
  }
  return check;
}

/**
 * TypeBox's Convert reads a number the way parseInt does ("1e3" → 1, "1e400" → 1, "12abc" → 12),
 * so a query string could mean something other than what was sent. A text whose converted number
 * is not exactly the number it spells is kept as text, and the check then names the field.
 */
const shallowCopy = (v: unknown) => (typeof v === 'object' && v !== null ? { ...v } : v);

function exactNumbers(input: unknown, converted: unknown): unknown {
  if (typeof input !== 'object' || input === null || typeof converted !== 'object' || converted === null) return converted;
  const out = converted as Record<string, unknown>;
  for (const [k, raw] of Object.entries(input as Record<string, unknown>)) {
    if (typeof raw === 'string' && typeof out[k] === 'number' && Number(raw) !== out[k]) out[k] = raw;
  }
  return out;
}

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = compile(schema);
  const part = (httpPart ?? 'body') as Part;
  const coerce = part === 'querystring' || part === 'params' || part === 'headers';
  // A body schema marked 'x-optional-body' may be left out entirely (e.g. pause's reason).
  // (A marker key, not TypeBox's Optional symbol: Fastify hands the compiler a copy without symbols.)
  const mayBeAbsent = part === 'body' && schema[OPTIONAL_BODY] === true;
  return (input: unknown) => {
    if ((input === undefined || input === null) && mayBeAbsent) return { value: undefined };
    // Convert changes the object it is given, so it gets a copy to compare with.
    const value = coerce ? Value.Default(schema, exactNumbers(input, Value.Convert(schema, shallowCopy(input)))) : input;
    if (check.Check(value)) return { value };
    const first = check.Errors(value).First();
    return { error: first ? toValidationError(first, part) : new Error('invalid input') };
  };
};
