import { parseJson } from '../../lambdas/providers/common';
import { sendgrid } from '../../lambdas/providers/sendgrid';
import { request } from './support';

describe('provider ids beyond 2^53', () => {
  it('parses JSON keeping unsafe integers exact (as strings) and everything else as numbers', () => {
    const body = Buffer.from(
      '{"ID":4323372036854775807,"MessageID":19421777835146490,"ts":1521233195.375624,"n":42,"neg":-9007199254740993}',
    );
    expect(parseJson(body)).toEqual({
      ID: '4323372036854775807',
      MessageID: '19421777835146490',
      ts: 1521233195.375624,
      n: 42,
      neg: '-9007199254740993',
    });
  });

  it('keeps a numeric SendGrid event id exact through normalization', () => {
    const raw =
      '[{"event":"open","sg_event_id":9007199254740993,"sg_message_id":"m1","timestamp":1513299569}]';
    const [event] = sendgrid.parse(request(raw));
    expect(sendgrid.normalize(event!)).toMatchObject({ status: 'OPEN', providerEventId: '9007199254740993' });
  });
});
