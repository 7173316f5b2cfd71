import { startLocal, type LocalStack } from '../../local/stack';
import { verifyDelivery } from '../../local/receiver';
import { eventually, startReceiver, type Receiver } from '../e2e/support';
import { readDoc, runnableBlocks, runShell, settingsBefore } from './runnable';

const readme = readDoc('README.md');

describe('the README tour, run as written', () => {
  let local: LocalStack;
  let receiver: Receiver;
  // The first terminal's command line and the second's, as the README gives them.
  const settings = settingsBefore(readme, 'npm start');
  const { WEBHOOK_SECRET } = settingsBefore(readme, 'npm run receiver');

  beforeAll(async () => {
    receiver = await startReceiver();
    local = await startLocal({
      settings: { ...settings, PORT: '0' },
      environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
  });
  afterAll(async () => {
    await local?.stop();
    await receiver?.close();
  });

  it('has runnable blocks', () => {
    expect(runnableBlocks(readme).length).toBeGreaterThanOrEqual(3);
  });

  it('runs every runnable block, and the event arrives signed with the documented secret', async () => {
    const { stdout } = await runShell(runnableBlocks(readme).join('\n'), {
      api: local.apiUrl,
      receiver: receiver.url,
    });
    expect(stdout).toMatch(/^subscription wh_/m);
    expect(stdout).toContain('"items":[');
    const delivery = await eventually('the delivery', () => receiver.at('/hooks')[0]);
    expect(JSON.parse(delivery.body)).toMatchObject({ eventType: 'PUSH_FAILED', trackingId: 'trk-1' });
    expect(verifyDelivery(delivery.headers, delivery.body, WEBHOOK_SECRET!)).toEqual({
      standardWebhooks: true,
      xWebhookSignature: true,
    });
  });
});
