/**
 * Hostile input for the property tests: text from the whole Unicode range (lone surrogates, U+FFFE,
 * U+FFFF, controls, emoji), huge and tiny numbers, date-like strings no parser likes, deep nesting,
 * prototype keys, and provider payloads whose every leaf may be swapped for any of these.
 */
import fc from 'fast-check';
import { fixture } from '../../providers/support';

/** Fixed seeds and bounded runs: the same cases every time, the suite stays fast. */
export const SEED = 20261201;
export const runs = (numRuns: number) => ({ seed: SEED, numRuns, endOnFailure: true });

/** One character from anywhere: any code point, a lone surrogate, or one of the usual troublemakers. */
const character = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((code) => String.fromCodePoint(code)) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '\u0000',
      '\u0001',
      '\u001f',
      '\r\n',
      '\t',
      '\u007f',
      '\u00e9',
      '\u2713',
      '\uFFFE',
      '\uFFFF',
      '\uFFFD',
      '😀',
      '\u{10FFFF}',
      '%',
      '%ZZ',
      '"',
      '\\',
    ),
  },
);

/** Text from the whole Unicode range, sometimes long. */
export const hostileText = fc.oneof(
  { weight: 6, arbitrary: fc.array(character, { maxLength: 24 }).map((chars) => chars.join('')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(character, fc.integer({ min: 1_000, max: 20_000 }))
      .map(([char, count]) => char.repeat(count)),
  },
);

/** Strings a date or number parser might choke on. */
const dateLike = fc.constantFrom(
  '99999999999999999',
  '9999999999999999999999',
  '1e400',
  '-1',
  '0',
  '2025-13-45T99:99:99Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '1.5',
  ' 1700000000',
  '1700000000.5',
  'NaN',
  '',
);

const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e308, -1e308, 5e-324, 2 ** 53 + 1, Number('99999999999999999'), 8.64e15 + 1, -0),
);

export const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  { weight: 2, arbitrary: dateLike },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);

/** A value nested `depth` levels deep in arrays and objects. */
const deeplyNested = fc.integer({ min: 20, max: 400 }).map((depth) => {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { nested: value };
  return value;
});

/** Keys a JavaScript object treats specially, and ordinary ones. */
export const hostileKey = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', ''),
  hostileText,
);

/** Any JSON-ish value, hostile all the way down. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 5, arbitrary: hostileLeaf },
    { weight: 1, arbitrary: deeplyNested },
    { weight: 2, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(hostileKey, tie('value'), { maxKeys: 4 }) },
  ),
})).value;

/** JSON text of a value that may hold `__proto__` as a real key (JSON.stringify would drop it). */
export function jsonWithProtoKey(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/^\{/, '{"__proto__":{"polluted":true},');
}

/** Percent-encodes any text (encodeURIComponent throws on a lone surrogate; its UTF-8 form is U+FFFD's). */
export function percentEncoded(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/**
 * `base` with each leaf kept or swapped for a hostile one, extra hostile keys on objects, and now and
 * then a whole subtree swapped: a payload that still looks like the provider's own.
 */
export function mutated(base: unknown): fc.Arbitrary<unknown> {
  if (Array.isArray(base)) {
    return fc.oneof(
      { weight: 5, arbitrary: fc.tuple(...base.map(mutated)) as fc.Arbitrary<unknown> },
      { weight: 1, arbitrary: hostileJson },
    );
  }
  if (base !== null && typeof base === 'object') {
    const entries = Object.entries(base as Record<string, unknown>);
    const record = fc.tuple(
      ...entries.map(([, value]) => mutated(value)),
      fc.dictionary(hostileKey, hostileLeaf, { maxKeys: 2 }),
    );
    return fc.oneof(
      {
        weight: 6,
        arbitrary: record.map((values) => {
          const extra = values.pop() as Record<string, unknown>;
          const out: Record<string, unknown> = {};
          entries.forEach(([key], index) => {
            out[key] = values[index];
          });
          for (const [key, value] of Object.entries(extra)) {
            if (key !== '__proto__') out[key] = value;
          }
          return out;
        }),
      },
      { weight: 1, arbitrary: hostileJson },
    );
  }
  return fc.oneof({ weight: 3, arbitrary: fc.constant(base) }, { weight: 2, arbitrary: hostileLeaf });
}

/** A provider's sample request: a JSON body, or form parameters (and the callback URL's query). */
export interface ProviderSample {
  body?: unknown;
  params?: Record<string, unknown>;
  query?: string;
}

/** One sample request per provider, from the fixtures the provider tests use. */
export function providerSample(provider: string): ProviderSample {
  switch (provider) {
    case 'generic':
      return {
        body: {
          id: 'pe_1',
          status: 'FAILED',
          channel: 'PUSH',
          trackingId: 'trk_1',
          notificationId: 'ntf_1',
          userId: 'usr_1',
          occurredAt: '2025-05-01T10:00:00.000Z',
          reason: 'token expired',
          product: 'CRM',
        },
      };
    case 'ses':
      return {
        body: {
          ...fixture('ses', 'sns-notification.json').envelope,
          Message: JSON.stringify(fixture('ses', 'bounce.json').record),
        },
      };
    case 'twilio':
      return fixture('twilio', 'sms-undelivered.json');
    case 'plivo':
      return fixture('plivo', 'sms-undelivered.json');
    case 'vonage':
      return fixture('vonage', 'dlr-failed.json');
    case 'mailgun':
      return fixture('mailgun', 'failed-permanent.json');
    case 'mailjet':
      return fixture('mailjet', 'grouped.json');
    case 'postmark':
      return fixture('postmark', 'bounce.json');
    case 'resend':
      return fixture('resend', 'clicked.json');
    case 'mandrill':
      return { params: { mandrill_events: fixture('mandrill', 'events.json').events } };
    case 'telnyx':
      return fixture('telnyx', 'message-finalized.json');
    default:
      return fixture(provider, 'events.json');
  }
}

/** Form parameters as a provider posts them: every value as text. */
export function formBody(params: unknown): string {
  const form = new URLSearchParams();
  if (params !== null && typeof params === 'object' && !Array.isArray(params)) {
    for (const [name, value] of Object.entries(params)) {
      form.append(name, typeof value === 'string' ? value : (JSON.stringify(value) ?? ''));
    }
  }
  return form.toString();
}
