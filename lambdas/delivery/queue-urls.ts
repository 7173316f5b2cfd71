import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../shared/aws';

const urls = new Map<string, Promise<string>>();

/**
 * The URL of the queue an SQS event record came from (`eventSourceARN`), looked up once per container.
 * Asking SQS rather than assembling `https://sqs.<region>.amazonaws.com/<account>/<name>` keeps it right
 * in every partition and on emulators, whose queue URLs have their own hosts.
 */
export function queueUrlOf(queueArn: string): Promise<string> {
  let url = urls.get(queueArn);
  if (!url) {
    const [, , , , account, name] = queueArn.split(':');
    if (!account || !name) throw new Error(`not an SQS queue ARN: ${queueArn}`);
    url = sqs()
      .send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account }))
      .then(({ QueueUrl }) => {
        if (!QueueUrl) throw new Error(`no URL for queue ${queueArn}`);
        return QueueUrl;
      });
    url.catch(() => urls.delete(queueArn));
    urls.set(queueArn, url);
  }
  return url;
}

/** Forgets the looked-up URLs (tests create fresh queues). */
export function clearQueueUrls(): void {
  urls.clear();
}
