/**
 * The first time an event with no time of its own was received. Some providers send none (Twilio,
 * Plivo and Vonage callbacks without a timestamp, a generic event without `occurredAt`), so the event's
 * time is the time it arrived; a retry of the request arrives later. The delivery id begins with the
 * event's time and the delivery function recognises an event it already delivered by that id, so such
 * an event needs one stable time: the first arrival's, kept for 7 days in the Idempotency table
 * (`id = seen#<integrationId>#<providerEventId>`). Events with a provider timestamp need no record.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../shared/aws';
import { inboundEnv } from './env';

export const FIRST_SEEN_TTL_SECONDS = 7 * 24 * 60 * 60;

/** Records in flight at once for one request (a batch holds up to 1000 events). */
const CONCURRENCY = 25;

async function firstSeen(integrationId: string, providerEventId: string, now: Date): Promise<string> {
  const { Attributes } = await dynamo().send(
    new UpdateCommand({
      TableName: inboundEnv().IDEMPOTENCY_TABLE,
      Key: { id: `seen#${integrationId}#${providerEventId}` },
      UpdateExpression:
        'SET #firstSeen = if_not_exists(#firstSeen, :now), #expiration = if_not_exists(#expiration, :expiration)',
      ExpressionAttributeNames: { '#firstSeen': 'firstSeen', '#expiration': 'expiration' },
      ExpressionAttributeValues: {
        ':now': now.toISOString(),
        ':expiration': Math.floor(now.getTime() / 1000) + FIRST_SEEN_TTL_SECONDS,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return Attributes!.firstSeen as string;
}

/** The first arrival time of each provider event id, in the order given. */
export async function firstSeenTimes(
  integrationId: string,
  providerEventIds: readonly string[],
  now: Date,
): Promise<string[]> {
  const times = new Array<string>(providerEventIds.length);
  let next = 0;
  const worker = async () => {
    while (next < providerEventIds.length) {
      const index = next++;
      times[index] = await firstSeen(integrationId, providerEventIds[index]!, now);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, providerEventIds.length) }, worker));
  return times;
}
