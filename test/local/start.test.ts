import { flowLineOfJsonLog } from '../../local/start';

describe("npm start's rendering of the handlers' JSON log lines", () => {
  it('turns a Powertools line into one flow-log line with its fields', () => {
    const line = JSON.stringify({
      level: 'ERROR',
      message: 'delivery failed after its last attempt',
      timestamp: '2026-12-01T16:33:59.903Z',
      service: 'event-relay',
      sampling_rate: 0,
      deliveryId: 'msg_1',
      attempt: 4,
      error: { name: 'Error', message: 'timeout after 10000 ms', stack: 'Error: …' },
    });
    expect(flowLineOfJsonLog(line)).toBe(
      'log ERROR delivery failed after its last attempt deliveryId=msg_1 attempt=4 error=timeout after 10000 ms',
    );
  });

  it('leaves anything else alone', () => {
    expect(flowLineOfJsonLog('event-relay local: http://127.0.0.1:3000 api-key=er_local_x')).toBeUndefined();
    expect(flowLineOfJsonLog('{"level":"ERROR", not json')).toBeUndefined();
  });
});
