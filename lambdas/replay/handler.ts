/**
 * The replay Lambda: the replay queue's event source. Each message runs one step of a replay or
 * catch-up (step.ts); a step that fails is retried by SQS, and after the queue's receive limit goes to
 * its dead-letter queue (the job's lock then goes stale, so the subscription can start another).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { logger } from '../shared/logger';
import { replayEnv } from './env';
import { getJob } from './jobs';
import { runStep, type StepMessage } from './step';

async function handleRecord(body: string): Promise<void> {
  let message: StepMessage;
  try {
    message = JSON.parse(body) as StepMessage;
  } catch {
    logger.error('dropping a replay message that is not JSON', { body: body.slice(0, 512) });
    return;
  }
  const job = await getJob(message.tenantId, message.subscriptionId, message.replayId);
  // Gone (expired), finished, or past this step already: a repeated message.
  if (!job || job.state !== 'running' || job.step !== message.step) return;
  // A finished job's `Replay Finished` event is the step's (it is logged too).
  await runStep(job, replayEnv(), message.releaseAt);
}

export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    try {
      await handleRecord(record.body);
    } catch (error) {
      logger.error('replay step failed; it will be retried', {
        messageId: record.messageId,
        error: error as Error,
      });
      failures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures: failures };
}
