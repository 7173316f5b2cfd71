/** Every provider module by name: adding a provider is one module and one line here. */
import { generic } from './generic';
import { mailgun } from './mailgun';
import { postmark } from './postmark';
import { resend } from './resend';
import { sendgrid } from './sendgrid';
import { twilio } from './twilio';
import type { ProviderModule } from './types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProviderModule = ProviderModule<any>;

export const PROVIDERS = {
  sendgrid,
  mailgun,
  postmark,
  twilio,
  resend,
  generic,
} as const satisfies Record<string, AnyProviderModule>;

export type ProviderName = keyof typeof PROVIDERS;
export const PROVIDER_NAMES = Object.keys(PROVIDERS) as [ProviderName, ...ProviderName[]];

export function providerModule(name: string): AnyProviderModule | undefined {
  return Object.hasOwn(PROVIDERS, name) ? (PROVIDERS as Record<string, AnyProviderModule>)[name] : undefined;
}
