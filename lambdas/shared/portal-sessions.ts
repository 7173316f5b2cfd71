/**
 * Tenant portal access: a sign-in code a platform hands its customer, exchanged once for a session.
 * Items live in the PortalSessions table:
 *
 * - a code: `pk = CODE#<sha256 hex of the code>`, with `tenantId`, `capabilities`, `sessionSeconds`,
 *   `returnUrl?`, `expiresAt` (epoch seconds, 10 minutes after minting), `usedAt?`;
 * - a session: `pk = SESSION#<sha256 hex of the token>`, with `sessionId`, `tenantId`, `capabilities`,
 *   `returnUrl?`, `createdAt`, `expiresAt` (epoch seconds).
 *
 * Only hashes are stored. `expiresAt` is the table's TTL attribute, but DynamoDB deletes expired items
 * only eventually (within days), so every read checks the expiry itself. A used code is marked, not
 * deleted, so a second use can still say where to go back to.
 *
 * No zod here: the authorizer imports this module and runs before every API call.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws';
import { newId } from './ids';

/** What a session may do: `manage` changes things, `read` only looks. */
export const PORTAL_CAPABILITIES = ['manage', 'read'] as const;
export type PortalCapability = (typeof PORTAL_CAPABILITIES)[number];

export const SESSION_TOKEN_PREFIX = 'ers_';
const CODE_PREFIX = 'erc_';
/** An unused code stops working after this long. */
export const CODE_LIFETIME_SECONDS = 600;
export const SESSION_SECONDS = { min: 600, max: 86_400, default: 43_200 } as const;

export interface PortalSession {
  sessionId: string;
  tenantId: string;
  capabilities: PortalCapability;
  returnUrl?: string;
  createdAt: string;
  /** Epoch seconds. */
  expiresAt: number;
}

const tableName = () => process.env.PORTAL_SESSIONS_TABLE!;
const hash = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
const codeKey = (code: string) => ({ pk: `CODE#${hash(code)}` });
const sessionKey = (token: string) => ({ pk: `SESSION#${hash(token)}` });
const epochSeconds = (now: number) => Math.floor(now / 1000);

/** Whether a bearer token is a portal session token (else it is taken for an API key). */
export function isSessionToken(token: string): boolean {
  return token.startsWith(SESSION_TOKEN_PREFIX);
}

/** Mints a single-use sign-in code for the tenant; it expires unused after `CODE_LIFETIME_SECONDS`. */
export async function createSignInCode(
  input: { tenantId: string; capabilities: PortalCapability; sessionSeconds: number; returnUrl?: string },
  now: number = Date.now(),
): Promise<{ code: string; expiresAt: number }> {
  const code = CODE_PREFIX + randomBytes(32).toString('base64url');
  const expiresAt = epochSeconds(now) + CODE_LIFETIME_SECONDS;
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        ...codeKey(code),
        tenantId: input.tenantId,
        capabilities: input.capabilities,
        sessionSeconds: input.sessionSeconds,
        ...(input.returnUrl !== undefined && { returnUrl: input.returnUrl }),
        expiresAt,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { code, expiresAt };
}

export type ExchangeResult =
  | { ok: true; token: string; session: PortalSession }
  /** The code is unknown, used, or expired; `returnUrl` when the code is still on record. */
  | { ok: false; returnUrl?: string };

/**
 * Exchanges a code for a session, once: the code is marked used in the same conditional write that
 * checks it is unused and unexpired, so two concurrent exchanges cannot both succeed.
 */
export async function exchangeSignInCode(code: string, now: number = Date.now()): Promise<ExchangeResult> {
  let item: Record<string, unknown> | undefined;
  try {
    const result = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: codeKey(code),
        UpdateExpression: 'SET usedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAt > :epoch',
        ExpressionAttributeValues: { ':now': new Date(now).toISOString(), ':epoch': epochSeconds(now) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    item = result.Attributes;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: codeKey(code) }));
    return typeof Item?.returnUrl === 'string' ? { ok: false, returnUrl: Item.returnUrl } : { ok: false };
  }
  if (!item) return { ok: false };
  const token = SESSION_TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const session: PortalSession = {
    sessionId: newId('ses', now),
    tenantId: item.tenantId as string,
    capabilities: item.capabilities as PortalCapability,
    ...(typeof item.returnUrl === 'string' && { returnUrl: item.returnUrl }),
    createdAt: new Date(now).toISOString(),
    expiresAt: epochSeconds(now) + (item.sessionSeconds as number),
  };
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...sessionKey(token), ...session },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return { ok: true, token, session };
}

/** The live session a token names, or undefined for an unknown, expired or revoked one. */
export async function findSession(
  token: string,
  now: number = Date.now(),
): Promise<PortalSession | undefined> {
  if (!isSessionToken(token)) return undefined;
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: sessionKey(token) }));
  if (!Item || typeof Item.expiresAt !== 'number' || Item.expiresAt <= epochSeconds(now)) return undefined;
  const { pk: _pk, ...session } = Item;
  return session as PortalSession;
}

/** Ends a session at once (logout). */
export async function revokeSession(token: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: tableName(), Key: sessionKey(token) }));
}
