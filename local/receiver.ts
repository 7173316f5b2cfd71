/**
 * `npm run receiver`: a tiny webhook receiver on http://127.0.0.1:${RECEIVER_PORT:-4000} that prints
 * each delivery's headers and body. With `WEBHOOK_SECRET` (the subscription's secret) it also checks
 * both signatures: Standard Webhooks (`webhook-signature`, with the `standardwebhooks` package) and
 * `X-Webhook-Signature: sha256=<hex HMAC of the body>`. `RECEIVER_STATUS` sets the status it answers
 * (default 200), to watch retries.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';

/** The key `standardwebhooks` expects: the base64 part of a `whsec_` secret, or the plain secret's bytes. */
function standardWebhooksKey(secret: string): string {
  return secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : Buffer.from(secret).toString('base64');
}

export interface SignatureCheck {
  standardWebhooks: boolean;
  xWebhookSignature: boolean;
}

/** Verifies a delivery's two signatures with `secret`. */
export function verifyDelivery(headers: IncomingHttpHeaders, body: string, secret: string): SignatureCheck {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };
  let standardWebhooks = true;
  try {
    new Webhook(standardWebhooksKey(secret)).verify(body, {
      'webhook-id': header('webhook-id'),
      'webhook-timestamp': header('webhook-timestamp'),
      'webhook-signature': header('webhook-signature'),
    });
  } catch {
    standardWebhooks = false;
  }
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`);
  const received = Buffer.from(header('x-webhook-signature'));
  const xWebhookSignature = expected.length === received.length && timingSafeEqual(expected, received);
  return { standardWebhooks, xWebhookSignature };
}

function main(): void {
  const port = Number(process.env.RECEIVER_PORT || 4000);
  const status = Number(process.env.RECEIVER_STATUS || 200);
  const secret = process.env.WEBHOOK_SECRET;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      console.log(`\n${new Date().toISOString()} ${request.method} ${request.url}`);
      for (const [name, value] of Object.entries(request.headers)) console.log(`${name}: ${String(value)}`);
      console.log('');
      try {
        console.log(JSON.stringify(JSON.parse(body), null, 2));
      } catch {
        console.log(body);
      }
      if (secret) {
        const check = verifyDelivery(request.headers, body, secret);
        console.log(
          `signatures: webhook-signature ${check.standardWebhooks ? 'valid' : 'INVALID'}, ` +
            `x-webhook-signature ${check.xWebhookSignature ? 'valid' : 'INVALID'}`,
        );
      }
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ received: status < 300 }));
    });
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(
      `receiver: http://127.0.0.1:${port} answering ${status}${secret ? ', verifying signatures' : ''}`,
    );
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) main();
