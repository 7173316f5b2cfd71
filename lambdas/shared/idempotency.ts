/**
 * `Idempotency-Key` on POSTs, with Powertools idempotency over the Idempotency table.
 *
 * - The record key is the tenant, method, path and header value (hashed by Powertools), so keys of
 *   different tenants or routes never collide.
 * - The parsed body is the validation payload: a repeat with another body is refused with 422
 *   (`idempotency_key_reused`), a repeat while the first is still running with 409
 *   (`idempotency_key_in_use`), as the IETF Idempotency-Key draft and Stripe do.
 * - Only successful responses are stored (route handlers throw for errors, and Powertools deletes
 *   the record when the function throws), so a request that failed can be sent again with its key.
 * - Replayed responses carry `idempotent-replayed: true`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { Context } from 'aws-lambda';
import { BadRequestError, ConflictError, HttpError, ServiceUnavailableError } from './errors';
import type { HttpResponse } from './http';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
const MAX_KEY_LENGTH = 255;
/**
 * Without a Lambda context (the local mode, tests), an in-progress record is held as long as API
 * Gateway would wait for the answer (30 s), so a crashed request does not block its key for 24 h.
 */
const OUTSIDE_LAMBDA = { getRemainingTimeInMillis: () => 29_000 } as Context;

export class IdempotencyKeyReusedError extends HttpError {
  constructor() {
    super(
      422,
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
    );
  }
}

interface IdempotentCall {
  key: string;
  body: unknown;
}

type Execute = () => Promise<HttpResponse>;

let idempotentRunner: ((call: IdempotentCall, execute: Execute) => Promise<HttpResponse>) | undefined;
let config: IdempotencyConfig | undefined;
let runnerTable: string | undefined;

function runner(tableName: string) {
  // Built on first use (after the environment, including emulator endpoints, is in place), and
  // again if the table changes (tests start a fresh emulator per file).
  if (!idempotentRunner || runnerTable !== tableName) {
    config = new IdempotencyConfig({
      eventKeyJmesPath: 'key',
      payloadValidationJmesPath: 'body',
      expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
      hashFunction: 'sha256',
      responseHook: (response) => {
        const stored = response as unknown as HttpResponse;
        return { ...stored, headers: { ...stored.headers, 'idempotent-replayed': 'true' } } as never;
      },
    });
    const persistenceStore = new DynamoDBPersistenceLayer({
      tableName,
      awsSdkV3Client: new DynamoDBClient({}),
    });
    idempotentRunner = makeIdempotent((_call: IdempotentCall, execute: Execute) => execute(), {
      persistenceStore,
      config,
      keyPrefix: 'api',
      dataIndexArgument: 0,
    });
    runnerTable = tableName;
  }
  return idempotentRunner;
}

/** The request's Idempotency-Key, or undefined; a malformed one is a 400. */
export function idempotencyKeyOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length === 0 || value.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(value)) {
    throw new BadRequestError(
      `Idempotency-Key must be 1–${MAX_KEY_LENGTH} printable ASCII characters without spaces.`,
      {
        problems: [
          {
            field: 'headers.Idempotency-Key',
            message: `must be 1–${MAX_KEY_LENGTH} printable ASCII characters without spaces`,
          },
        ],
      },
      'validation_error',
    );
  }
  return value;
}

/**
 * Runs `execute` at most once per (tenant, method, path, key) within 24 hours; repeats get the
 * first response back.
 */
export async function withIdempotency(
  options: {
    tableName: string;
    tenantId: string;
    method: string;
    path: string;
    key: string;
    body: unknown;
    context?: Context;
  },
  execute: Execute,
): Promise<HttpResponse> {
  const run = runner(options.tableName);
  config!.registerLambdaContext(
    options.context && typeof options.context.getRemainingTimeInMillis === 'function'
      ? options.context
      : OUTSIDE_LAMBDA,
  );
  const call: IdempotentCall = {
    key: [options.tenantId, options.method, options.path, options.key].join(' '),
    body: options.body ?? null,
  };
  try {
    return await run(call, execute);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof IdempotencyValidationError) throw new IdempotencyKeyReusedError();
    if (error instanceof IdempotencyAlreadyInProgressError) {
      throw new ConflictError(
        'A request with this Idempotency-Key is still being processed; retry shortly.',
        'idempotency_key_in_use',
      );
    }
    if (error instanceof IdempotencyPersistenceLayerError) {
      throw new ServiceUnavailableError('Could not record the Idempotency-Key; retry later.');
    }
    throw error;
  }
}
