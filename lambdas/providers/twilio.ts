/**
 * Twilio status callbacks, SMS (`MessageStatus`) and voice (`CallStatus`): form-encoded bodies signed
 * with `X-Twilio-Signature` = base64(HMAC-SHA1(auth token, URL + each POST parameter's name and value,
 * sorted by name)). Docs: https://www.twilio.com/docs/usage/security#validating-requests
 * The platform puts its ids in the status-callback URL's query string, which the signature covers.
 */
import * as z from 'zod';
import { BadRequestError, UnauthorizedError } from '../shared/errors';
import {
  hmac,
  ignored,
  isoDate,
  mappedStatus,
  metadataFrom,
  normalized,
  parseForm,
  requireHeader,
  safeEqual,
  text,
} from './common';
import type { MappingRow, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  authToken: z.string().min(1).describe('The account (or subaccount) auth token'),
});

/** Statuses per https://www.twilio.com/docs/messaging/api/message-resource#message-status-values and call status callbacks. */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'sms/undelivered', status: 'FAILED' },
  { providerStatus: 'sms/failed', status: 'FAILED' },
  { providerStatus: 'sms/queued', status: 'ignored' },
  { providerStatus: 'sms/sending', status: 'ignored' },
  { providerStatus: 'sms/sent', status: 'ignored' },
  { providerStatus: 'sms/delivered', status: 'ignored' },
  { providerStatus: 'sms/read', status: 'ignored' },
  { providerStatus: 'call/failed', status: 'FAILED' },
  { providerStatus: 'call/busy', status: 'FAILED' },
  { providerStatus: 'call/no-answer', status: 'FAILED' },
  { providerStatus: 'call/completed', status: 'ignored' },
  { providerStatus: 'call/initiated', status: 'ignored' },
  { providerStatus: 'call/ringing', status: 'ignored' },
  { providerStatus: 'call/in-progress', status: 'ignored' },
  { providerStatus: 'call/canceled', status: 'ignored' },
];

/** The string Twilio signs: the URL, then every POST parameter's name and value, sorted by name. */
export function twilioSignedString(url: string, params: Record<string, string>): string {
  return (
    url +
    Object.keys(params)
      .sort()
      .map((name) => name + params[name])
      .join('')
  );
}

export const twilio: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'twilio',
  title: 'Twilio (SMS and voice)',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { authToken }) {
    const signature = requireHeader(request, 'x-twilio-signature');
    const expected = hmac('sha1', authToken, twilioSignedString(request.url, parseForm(request.rawBody)));
    if (!safeEqual(expected.toString('base64'), signature)) throw new UnauthorizedError('Invalid signature.');
  },
  parse(request) {
    const params = parseForm(request.rawBody);
    if (!params.MessageSid && !params.CallSid) {
      throw new BadRequestError('Expected a Twilio status callback (MessageSid or CallSid).');
    }
    return [{ params, query: request.query, receivedAt: request.now.toISOString() }];
  },
  normalize(event) {
    const { params, query, receivedAt } = event as {
      params: Record<string, string>;
      query: Record<string, string>;
      receivedAt: string;
    };
    const isSms = Boolean(params.MessageSid);
    const sid = (isSms ? params.MessageSid : params.CallSid)!;
    const providerStatus = `${isSms ? 'sms' : 'call'}/${(isSms ? params.MessageStatus : params.CallStatus) ?? 'unknown'}`;
    const identity = {
      providerEventId: `${sid}:${providerStatus}`,
      providerMessageId: sid,
      occurredAt: isoDate(params.Timestamp, new Date(receivedAt)),
    };
    const status = mappedStatus(mapping, providerStatus);
    if (status === 'ignored') return ignored(providerStatus, identity);
    const reason = text(params.ErrorMessage) ?? (params.ErrorCode ? `error ${params.ErrorCode}` : undefined);
    return normalized({
      ...identity,
      status,
      channel: isSms ? 'SMS' : 'CALL',
      metadata: metadataFrom(query),
      ...(reason !== undefined && { reason }),
    });
  },
};
