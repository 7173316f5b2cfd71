import type * as z from 'zod';
import { BadRequestError } from '../shared/errors';

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `auth.username` or `events.0`. */
  field: string;
  message: string;
}

/** A 400 whose message names the (first) offending field; `details.problems` lists them all. */
export function invalidInput(problems: FieldProblem[]): BadRequestError {
  const [first] = problems;
  const more =
    problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  const message = first ? `${first.field}: ${first.message}${more}` : 'Invalid input.';
  return new BadRequestError(message, { problems }, 'validation_error');
}

export function invalidField(field: string, message: string): BadRequestError {
  return invalidInput([{ field, message }]);
}

function problemsOf(error: z.ZodError, root: string): FieldProblem[] {
  return error.issues.flatMap((issue): FieldProblem[] => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: path ? `${path}.${key}` : key,
        message: 'is not a known field',
      }));
    }
    return [{ field: path || root, message: issue.message }];
  });
}

/** Parses `value` with `schema`, or throws a 400 naming each offending field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, root: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidInput(problemsOf(result.error, root));
  return result.data;
}
