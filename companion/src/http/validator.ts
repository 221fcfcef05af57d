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

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = compile(schema);
  const part = (httpPart ?? 'body') as Part;
  const coerce = part === 'querystring' || part === 'params' || part === 'headers';
  // A body schema marked 'x-optional-body' may be left out entirely (e.g. pause's reason).
  // (A marker key, not TypeBox's Optional symbol: Fastify hands the compiler a copy without symbols.)
  const mayBeAbsent = part === 'body' && schema[OPTIONAL_BODY] === true;
  return (input: unknown) => {
    if ((input === undefined || input === null) && mayBeAbsent) return { value: undefined };
    const value = coerce ? Value.Default(schema, Value.Convert(schema, input)) : input;
    if (check.Check(value)) return { value };
    const first = check.Errors(value).First();
    return { error: first ? toValidationError(first, part) : new Error('invalid input') };
  };
};
