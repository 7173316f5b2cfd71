/** The delivery Lambda: the per-status delivery queues' event source (partial batch responses enabled). */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processBatch } from './process';

export function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  return processBatch(event);
}
