import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * SDK clients, built once per container on first use. Endpoints come from the SDK's own settings
 * (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB`, ...), which is how the local mode and the tests
 * point them at emulators; building lazily lets a test set those before the first call.
 */
let documentClient: DynamoDBDocumentClient | undefined;

/**
 * `SDK_MAX_SOCKETS` widens each client's connection pool (the SDK's default is 50). Only the local
 * mode sets it: there every function and every concurrent invocation shares one process and so one
 * client, where in AWS each container has its own pool for the one batch it runs.
 */
function clientConfig(): {
  requestHandler?: { httpAgent: { maxSockets: number }; httpsAgent: { maxSockets: number } };
} {
  const maxSockets = Number(process.env.SDK_MAX_SOCKETS);
  if (!Number.isInteger(maxSockets) || maxSockets <= 0) return {};
  return { requestHandler: { httpAgent: { maxSockets }, httpsAgent: { maxSockets } } };
}
let sqsClient: SQSClient | undefined;
let eventBridgeClient: EventBridgeClient | undefined;
let schedulerClient: SchedulerClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig()), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function sqs(): SQSClient {
  // With an endpoint override (emulators), send to that endpoint rather than to the queue URL's host:
  // emulator queue URLs use hosts such as `sqs.us-east-1.localhost` that do not resolve everywhere.
  const overridden = Boolean(process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL);
  sqsClient ??= new SQSClient({ ...clientConfig(), ...(overridden ? { useQueueUrlAsEndpoint: false } : {}) });
  return sqsClient;
}

export function eventBridge(): EventBridgeClient {
  eventBridgeClient ??= new EventBridgeClient(clientConfig());
  return eventBridgeClient;
}

/** EventBridge Scheduler: retries that wait longer than SQS can hold a message (lambdas/delivery/retry-scheduler.ts). */
export function scheduler(): SchedulerClient {
  schedulerClient ??= new SchedulerClient(clientConfig());
  return schedulerClient;
}

/** Forgets the clients, so the next call builds them with the current environment (tests only). */
export function resetClients(): void {
  documentClient = undefined;
  sqsClient = undefined;
  eventBridgeClient = undefined;
  schedulerClient = undefined;
}

/**
 * Whether a conditional DynamoDB write went through: `false` when its condition did not hold, any other
 * error thrown as it is.
 */
export async function conditionHolds(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
