/**
 * Amazon SNS HTTP(S) message signatures, as documented in
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 * The string to sign is `Name\nValue\n` for a fixed, type-dependent list of fields (in that order);
 * SignatureVersion 1 signs it with SHA1withRSA, 2 with SHA256withRSA. Certificates come only from
 * `https://sns.<region>.amazonaws.com/….pem` and are cached per container.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import { ServiceUnavailableError, UnauthorizedError } from '../shared/errors';

export interface SnsMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
}

export const SNS_MESSAGE_TYPES = ['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation'];

const NOTIFICATION_FIELDS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const;
const CONFIRMATION_FIELDS = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
] as const;

/** `sns.<region>.amazonaws.com`, e.g. `sns.eu-west-1.amazonaws.com`, `sns.cn-north-1.amazonaws.com.cn`. */
const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
/** Checked on the text as sent, before URL parsing can normalize anything away. */
const SNS_CERTIFICATE_URL = /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[^?#]+\.pem$/;

/** True only for `https://sns.<region>.amazonaws.com/...` with no credentials, port or other tricks. */
export function isSnsUrl(value: string | undefined): value is string {
  if (typeof value !== 'string') return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    url.port === '' &&
    SNS_HOST.test(url.hostname)
  );
}

export const isSnsCertificateUrl = (value: string | undefined): value is string =>
  isSnsUrl(value) && SNS_CERTIFICATE_URL.test(value);

/** The canonical string SNS signs for this message. */
export function snsStringToSign(message: SnsMessage): string {
  const fields = message.Type === 'Notification' ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let text = '';
  for (const field of fields) {
    const value = message[field];
    if (value === undefined || value === null) continue; // only Subject is optional
    text += `${field}\n${value}\n`;
  }
  return text;
}

/** Throws UnauthorizedError unless the message carries a valid SNS signature. */
export async function verifySnsSignature(
  message: SnsMessage,
  certificate: (url: string) => Promise<string>,
): Promise<void> {
  const algorithm = { '1': 'RSA-SHA1', '2': 'RSA-SHA256' }[message.SignatureVersion];
  if (!algorithm) throw new UnauthorizedError('Unsupported SNS SignatureVersion.');
  if (!isSnsCertificateUrl(message.SigningCertURL)) {
    throw new UnauthorizedError('SigningCertURL is not an Amazon SNS certificate URL.');
  }
  let pem: string;
  try {
    pem = await certificate(message.SigningCertURL);
  } catch {
    // A certificate we cannot load now is not proof of forgery: SNS should retry.
    throw new ServiceUnavailableError('Could not load the SNS signing certificate.');
  }
  let valid = false;
  try {
    valid = verifySignature(
      algorithm,
      Buffer.from(snsStringToSign(message), 'utf8'),
      new X509Certificate(pem).publicKey,
      Buffer.from(message.Signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new UnauthorizedError('Invalid SNS signature.');
}

/**
 * SNS signing certificates by URL, fetched once per container. `preloadFrom` names a directory of PEM
 * files named as the last path segment of their SigningCertURL (SNS_CERT_DIR: the local mode cannot
 * reach AWS); a preloaded certificate is used for any valid SNS URL ending in its file name.
 */
export class SnsCertificateCache {
  private readonly byUrl = new Map<string, Promise<string>>();
  private readonly byFileName = new Map<string, string>();

  constructor(
    private readonly fetchPem: (url: string) => Promise<string>,
    preloadFrom?: string,
  ) {
    if (preloadFrom) {
      for (const file of readdirSync(preloadFrom)) {
        if (file.endsWith('.pem')) this.byFileName.set(file, readFileSync(join(preloadFrom, file), 'utf8'));
      }
    }
  }

  get(url: string): Promise<string> {
    if (!isSnsCertificateUrl(url)) return Promise.reject(new Error('not an SNS certificate URL'));
    const fileName = new URL(url).pathname.split('/').pop()!;
    const preloaded = this.byFileName.get(fileName);
    if (preloaded !== undefined) return Promise.resolve(preloaded);
    let pending = this.byUrl.get(url);
    if (!pending) {
      pending = this.fetchPem(url);
      this.byUrl.set(url, pending);
      pending.catch(() => this.byUrl.delete(url)); // do not cache failures
    }
    return pending;
  }
}
