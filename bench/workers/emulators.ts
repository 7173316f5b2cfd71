/**
 * The local mode's AWS-API emulators (dynalite and fauxqs) in a process of their own, as DynamoDB and
 * SQS are services of their own in AWS: their work does not share the stack's event loop.
 */
import { startDynalite, startFauxqsServer, type Emulator } from '../../local/emulators';
import { serve } from '../lib/child';

let emulators: Emulator[] = [];

serve({
  async start() {
    emulators = await Promise.all([startDynalite(), startFauxqsServer()]);
    const [dynamodb, sqs] = emulators.map((emulator) => emulator.endpoint);
    return { dynamodb, sqs };
  },
  async stop() {
    await Promise.all(emulators.map((emulator) => emulator.stop()));
    return null;
  },
});
