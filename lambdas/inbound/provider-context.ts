/**
 * The inbound function's ProviderContext: SNS certificates fetched over HTTPS once per container (or
 * preloaded from SNS_CERT_DIR), subscription confirmations by GET. Tests pass their own context.
 */
import { SnsCertificateCache } from '../providers/sns';
import type { ProviderContext } from '../providers/types';
import { inboundEnv } from './env';
import { logger } from '../shared/logger';

const FETCH_TIMEOUT_MS = 5000;

async function httpsGet(url: string): Promise<string> {
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`GET ${new URL(url).host} answered ${response.status}`);
  return response.text();
}

let certificates: SnsCertificateCache | undefined;

export function defaultProviderContext(): ProviderContext {
  certificates ??= new SnsCertificateCache(httpsGet, inboundEnv().SNS_CERT_DIR);
  const cache = certificates;
  return {
    snsCertificate: (url) => cache.get(url),
    confirmSubscription: async (url) => {
      await httpsGet(url);
    },
    log: (message, details) => logger.info(message, details),
  };
}
