/**
 * A test-only SNS signer: its own RSA key and self-signed certificate (openssl), written to a temporary
 * directory named as SNS_CERT_DIR expects (the last path segment of SigningCertURL).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from 'node:crypto';
import { snsStringToSign, type SnsMessage } from '../../lambdas/providers/sns';

export const CERT_FILE = 'SimpleNotificationService-0000000000000000000000000test.pem';
export const CERT_URL = `https://sns.us-west-2.amazonaws.com/${CERT_FILE}`;
export const TOPIC_ARN = 'arn:aws:sns:us-west-2:123456789012:ses-events';

export interface SnsSigner {
  /** Directory holding the certificate, for SNS_CERT_DIR. */
  certDir: string;
  certificatePem: string;
  /** A signed SNS message (JSON text) with these fields over the defaults. */
  message(fields: Partial<SnsMessage> & { Message: string }, signatureVersion?: '1' | '2'): string;
  cleanup(): void;
}

export function createSnsSigner(): SnsSigner {
  const certDir = mkdtempSync(join(tmpdir(), 'sns-cert-'));
  const keyFile = join(certDir, 'key.pem.key');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      join(certDir, CERT_FILE),
      '-days',
      '2',
      '-subj',
      '/CN=sns.amazonaws.com',
    ],
    { stdio: 'ignore' },
  );
  const privateKey = readFileSync(keyFile, 'utf8');
  return {
    certDir,
    certificatePem: readFileSync(join(certDir, CERT_FILE), 'utf8'),
    message(fields, signatureVersion = '2') {
      const message: SnsMessage = {
        Type: 'Notification',
        MessageId: `mid-${Math.random().toString(36).slice(2)}`,
        TopicArn: TOPIC_ARN,
        Timestamp: new Date().toISOString(),
        SignatureVersion: signatureVersion,
        Signature: '',
        SigningCertURL: CERT_URL,
        ...fields,
      };
      const algorithm = message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
      message.Signature = sign(algorithm, Buffer.from(snsStringToSign(message)), privateKey).toString(
        'base64',
      );
      return JSON.stringify(message);
    },
    cleanup: () => rmSync(certDir, { recursive: true, force: true }),
  };
}
