import * as z from 'zod';

export type JsonSchema = Record<string, unknown>;

/** A zod schema as draft 2020-12 JSON Schema, without the `$schema` line (it is embedded in documents). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _schema, ...converted } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonSchema;
  return converted;
}
