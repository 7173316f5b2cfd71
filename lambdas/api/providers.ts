/**
 * `GET /v1/providers`: the providers an integration can be made for, with the credentials each needs
 * (as JSON Schema, from the provider module's own schema) and the steps to set it up at the provider.
 * The portal's integration form is built from this answer.
 */
import * as z from 'zod';
import { PROVIDER_NAMES, providerModule, type ProviderName } from '../providers/registry';
import { json } from '../shared/http';
import { jsonSchemaOf } from './json-schema';
import { ErrorSchema } from './schemas';
import type { ApiRoute } from './types';

/** What to do in each provider's dashboard; `{inboundUrl}` is the integration's inbound URL. */
export const PROVIDER_SETUP: Readonly<Record<ProviderName, readonly string[]>> = {
  sendgrid: [
    'In SendGrid, open Settings → Mail Settings → Event Webhook and create a webhook.',
    'Paste the inbound URL as the Post URL and select the delivery and engagement events to send.',
    'Turn on Signed Event Webhook and copy its verification key into this integration.',
  ],
  ses: [
    'Create an SNS topic and an SES configuration set whose event destination publishes to it.',
    'Subscribe the inbound URL to the topic over HTTPS; the subscription is confirmed automatically.',
    'Optionally list the topic ARN here so only that topic is accepted.',
  ],
  mailgun: [
    'In Mailgun, open Sending → Webhooks for your domain and add a webhook per event type you want.',
    'Paste the inbound URL as the webhook URL.',
    'Copy the HTTP webhook signing key (Settings → API Security) into this integration.',
  ],
  postmark: [
    'In Postmark, open your server → message stream → Webhooks and add a webhook.',
    'Choose a username and password here, and paste the inbound URL with them under Basic auth credentials.',
    'Select the Delivery, Bounce, Open and Click events.',
  ],
  twilio: [
    'Set the inbound URL as the status callback URL of your messages or calls (or of a Messaging Service).',
    'Copy the account auth token (Console → Account info) into this integration: Twilio signs with it.',
  ],
  resend: [
    'In Resend, open Webhooks and add an endpoint with the inbound URL.',
    'Select the email events to send and copy the signing secret (whsec_…) into this integration.',
  ],
  mandrill: [
    'In Mandrill, open Settings → Webhooks and add a webhook with the inbound URL (Mandrill checks it first).',
    'Select the events to send and copy the webhook key into this integration.',
  ],
  mailjet: [
    'Choose a username and password here.',
    'In Mailjet, open Account settings → Event notifications and set the inbound URL with those credentials (https://user:password@…).',
  ],
  brevo: [
    'In Brevo, open Transactional → Settings → Webhooks and add a webhook with the inbound URL.',
    'Choose a token of at least 16 characters, set it as the bearer token of the webhook, and enter it here.',
  ],
  vonage: [
    'Enable signed webhooks in the Vonage API settings and note the signature secret and method.',
    'Set the inbound URL as the delivery receipt URL and enter the secret and method here.',
  ],
  telnyx: [
    'Set the inbound URL as the webhook URL of your messaging profile or call control application.',
    'Copy the public key (Mission Control → Keys & Credentials → Public Key) into this integration.',
  ],
  sparkpost: [
    'Choose a username and password here.',
    'In SparkPost, open Webhooks, add one with the inbound URL and Basic Auth with those credentials.',
  ],
  plivo: [
    'Set the inbound URL as the message or call status callback URL.',
    'Copy the account Auth Token (Console → Overview) into this integration: Plivo signs with it.',
  ],
  generic: [
    'For your own platform: post Standard Webhooks-signed events to the inbound URL.',
    'Enter the secret (whsec_…) your sender signs with.',
  ],
};

export const ProviderInfoSchema = z
  .object({
    name: z.enum(PROVIDER_NAMES),
    title: z.string(),
    credentials: z.record(z.string(), z.unknown()).describe('JSON Schema of the `credentials` object'),
    setup: z.array(z.string()).describe("Steps in the provider's dashboard"),
  })
  .meta({ id: 'ProviderInfo' });

export const providersRoute: ApiRoute = {
  method: 'GET',
  path: '/v1/providers',
  summary: 'The providers an integration can be made for, with their credentials and setup steps',
  tag: 'Integrations',
  responses: {
    200: { description: 'Every provider', schema: z.object({ items: z.array(ProviderInfoSchema) }) },
    401: { description: 'Missing, unknown or revoked API key', schema: ErrorSchema },
  },
  async handle() {
    return json(200, {
      items: PROVIDER_NAMES.map((name) => {
        const module = providerModule(name)!;
        return {
          name,
          title: module.title,
          credentials: jsonSchemaOf(module.credentialsSchema, 'input'),
          setup: PROVIDER_SETUP[name],
        };
      }),
    });
  },
};
