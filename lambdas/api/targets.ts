/**
 * Which webhook URLs a subscription may name. The delivery engine checks the address it actually
 * dials at send time (DNS can change); this is the early, obvious part, so a tenant hears about
 * `http://10.0.0.5/` when creating the subscription rather than from its delivery log.
 */
import ipaddr from 'ipaddr.js';
import { isPublicAddress } from '../delivery/address-guard';

/** True for `localhost` names and literal IPs that are not public unicast addresses. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  // The same classification the delivery engine applies to the address it dials.
  return ipaddr.isValid(host) && !isPublicAddress(host);
}

/** Why `url` cannot be a webhook target, or undefined when it can. */
export function targetUrlProblem(url: string, allowPrivateTargets: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  const schemeAllowed = parsed.protocol === 'https:' || (allowPrivateTargets && parsed.protocol === 'http:');
  if (!schemeAllowed)
    return allowPrivateTargets ? 'must be an http:// or https:// URL' : 'must be an https:// URL';
  if (parsed.username || parsed.password) return 'must not contain credentials (use `auth` instead)';
  if (!allowPrivateTargets && isPrivateHost(parsed.hostname)) {
    return 'must not point at a private, loopback or link-local address';
  }
  return undefined;
}
