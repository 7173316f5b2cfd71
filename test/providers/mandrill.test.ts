import { createHmac } from 'node:crypto';
import { BadRequestError, UnauthorizedError } from '../../lambdas/shared/errors';
import { mandrill } from '../../lambdas/providers/mandrill';
import { fixture, request } from './support';

const webhookKey = 'KfFuThPttL_KoUyDndHW3A';
const url = 'https://api.example.test/v1/inbound/int_md';
const events = JSON.stringify(fixture('mandrill', 'events.json').events);
const body = new URLSearchParams({ mandrill_events: events }).toString();
// Mandrill's documented construction, spelled out: URL as registered + "mandrill_events" + its value.
const signature = createHmac('sha1', webhookKey)
  .update(url + 'mandrill_events' + events)
  .digest('base64');

describe('mandrill', () => {
  it('accepts a valid signature over the registered URL and the POST parameters', () => {
    const headers = { 'x-mandrill-signature': signature };
    expect(() => mandrill.verify(request(body, { url, headers }), { webhookKey })).not.toThrow();
  });

  it.each([
    ['a tampered body', body.replace('trk_md', 'trk_xx'), url, webhookKey],
    ['another URL than the one registered', body, 'http://10.0.0.1/v1/inbound/int_md', webhookKey],
    ['another webhook key', body, url, 'other-key'],
  ])('rejects %s', (_, raw, calledUrl, key) => {
    const headers = { 'x-mandrill-signature': signature };
    const run = () => mandrill.verify(request(raw, { url: calledUrl, headers }), { webhookKey: key });
    expect(run).toThrow(UnauthorizedError);
    expect(run).toThrow(/Invalid signature/);
  });

  it('rejects a request without a signature', () => {
    expect(() => mandrill.verify(request(body, { url }), { webhookKey })).toThrow(
      /Missing x-mandrill-signature/,
    );
  });

  it('normalizes the batch, reading msg.metadata, one event id per open and click', () => {
    const results = mandrill.parse(request(body)).map((event) => mandrill.normalize(event));
    expect(results).toHaveLength(4);
    expect(results[0]).toEqual({
      status: 'OPEN',
      channel: 'EMAIL',
      trackingId: 'trk_md',
      notificationId: 'ntf_md',
      userId: 'usr_md',
      product: 'CRM',
      providerEventId: expect.stringMatching(/^[0-9a-f]{32}$/),
      providerMessageId: 'exampleaaaaaaaaaaaaaaaaaaaaaaaaa3',
      occurredAt: '2013-11-20T13:26:44.000Z',
    });
    expect(results[1]).toMatchObject({ status: 'CLICK', trackingId: 'trk_md' });
    expect(results[1]).not.toHaveProperty('product');
    expect(results[1]!.providerEventId).not.toBe(results[0]!.providerEventId);
    expect(results[2]).toMatchObject({
      status: 'FAILED',
      trackingId: 'exampleaaaaaaaaaaaaaaaaaaaaaaaaa4',
      notificationId: null,
      userId: null,
      reason: 'smtp;552 5.2.2 Over Quota',
    });
    expect(results[3]).toMatchObject({ ignored: 'deferral' });
    // A provider retry of the same batch yields the same event ids.
    const again = mandrill.parse(request(body)).map((event) => mandrill.normalize(event));
    expect(again.map((r) => r.providerEventId)).toEqual(results.map((r) => r.providerEventId));
  });

  it('maps rejects to FAILED and sync events to ignored', () => {
    expect(mandrill.normalize({ event: 'reject', msg: { _id: 'm1' }, ts: 1 })).toMatchObject({
      status: 'FAILED',
    });
    expect(mandrill.normalize({ type: 'blacklist', action: 'add' })).toMatchObject({
      ignored: 'sync/blacklist',
    });
  });

  it('answers 400 for a body without a mandrill_events array', () => {
    expect(() => mandrill.parse(request('foo=bar'))).toThrow(BadRequestError);
    expect(() => mandrill.parse(request('mandrill_events=%7B'))).toThrow(/not valid JSON/);
    expect(() => mandrill.parse(request('mandrill_events=%7B%7D'))).toThrow(/JSON array/);
    expect(mandrill.parse(request('mandrill_events=%5B%5D'))).toEqual([]);
  });
});
