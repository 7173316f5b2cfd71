import { BadRequestError } from './errors';

/** A page of items and the opaque cursor of the next page, if any. */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** DynamoDB's LastEvaluatedKey as an opaque, URL-safe cursor. */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

/**
 * Decodes a cursor and checks it only names the expected key attributes with string values, so a
 * forged cursor cannot steer a query elsewhere: the partition key is always re-checked by the caller.
 */
export function decodeCursor(
  cursor: string | undefined,
  keyAttributes: readonly string[],
): Record<string, string> | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof value === 'object' &&
      value !== null &&
      Object.keys(value).every((k) => keyAttributes.includes(k)) &&
      Object.values(value).every((v) => typeof v === 'string')
    ) {
      return value as Record<string, string>;
    }
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError('Invalid cursor.', { field: 'cursor' });
}
