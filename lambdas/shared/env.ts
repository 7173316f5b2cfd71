import * as z from 'zod';

/**
 * Reads and validates the environment once, at module load of the function that needs it.
 * Fails fast with the names of the missing or invalid keys.
 */
export function readEnv<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(source);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid environment: ${problems.join('; ')}`);
  }
  return result.data;
}

/** `"true"`/`"1"` → true, `"false"`/`"0"`/absent → the default. */
export const booleanFromEnv = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((value) =>
      value === undefined || value === '' ? defaultValue : value === 'true' || value === '1',
    );
