/** Every provider module by name: adding a provider is one module and one line here. */
import { brevo } from './brevo';
import { generic } from './generic';
import { mailgun } from './mailgun';
import { mailjet } from './mailjet';
import { mandrill } from './mandrill';
import { plivo } from './plivo';
import { postmark } from './postmark';
import { resend } from './resend';
import { sendgrid } from './sendgrid';
import { ses } from './ses';
import { sparkpost } from './sparkpost';
import { telnyx } from './telnyx';
import { twilio } from './twilio';
import type { ProviderModule } from './types';
import { vonage } from './vonage';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProviderModule = ProviderModule<any>;

export const PROVIDERS = {
  sendgrid,
  ses,
  mailgun,
  postmark,
  twilio,
  resend,
  mandrill,
  mailjet,
  brevo,
  vonage,
  telnyx,
  sparkpost,
  plivo,
  generic,
} as const satisfies Record<string, AnyProviderModule>;

export type ProviderName = keyof typeof PROVIDERS;
export const PROVIDER_NAMES = Object.keys(PROVIDERS) as [ProviderName, ...ProviderName[]];

export function providerModule(name: string): AnyProviderModule | undefined {
  return Object.hasOwn(PROVIDERS, name) ? (PROVIDERS as Record<string, AnyProviderModule>)[name] : undefined;
}
