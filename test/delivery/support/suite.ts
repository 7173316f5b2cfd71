/**
 * The set-up every delivery suite shares: the emulators for the file, and the delivery settings, a
 * fresh receiver on 127.0.0.1 and fresh queues before each test (or once for the file, with
 * `once: true`). The suite keeps its own `emulators`, `receiver` and `queues` variables; `use` sets them.
 */
import { clearQueueUrls } from '../../../lambdas/delivery/queue-urls';
import { useEmulators } from '../../support/emulators';
import { createQueues, type TestQueues } from './harness';
import { startReceiver, type Receiver } from './receiver';

export type Emulators = Awaited<ReturnType<typeof useEmulators>>;

export function useDeliverySuite(
  settings: Record<string, string>,
  use: (made: { emulators: Emulators; receiver: Receiver; queues: TestQueues }) => void,
  options: { slowLane?: boolean; once?: boolean } = {},
): void {
  let emulators: Emulators | undefined;
  let receiver: Receiver | undefined;
  const setUp = async () => {
    Object.assign(process.env, settings);
    clearQueueUrls();
    receiver = await startReceiver();
    const queues = await createQueues(undefined, { slowLane: options.slowLane ?? false });
    use({ emulators: emulators!, receiver, queues });
  };
  const tearDown = async () => {
    await receiver?.close();
    receiver = undefined;
  };
  beforeAll(async () => {
    emulators = await useEmulators();
    if (options.once) await setUp();
  });
  afterAll(async () => {
    if (options.once) await tearDown();
    await emulators?.stop();
  });
  if (!options.once) {
    beforeEach(setUp);
    afterEach(tearDown);
  }
}
