/**
 * Refuses connections to non-public addresses (SSRF protection), checked on the address actually
 * dialled: `guardedLookup` replaces the socket's DNS lookup, so a name that resolves (or re-resolves,
 * as in DNS rebinding) to a private address never gets a connection. IP literals skip lookup in
 * `net.connect`, so the sender checks those itself with `assertPublicHost`.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

export class PrivateAddressError extends Error {
  readonly code = 'EPRIVATEADDRESS';
  constructor(readonly address: string) {
    super(`refused to connect to private address ${address}`);
    this.name = 'PrivateAddressError';
  }
}

export interface AddressClass {
  /** True only for globally routable unicast addresses. */
  public: boolean;
  /** ipaddr.js range name (`private`, `loopback`, `uniqueLocal`, ...), or ours for the extra rules. */
  range: string;
  /** The IPv4 address an IPv6 form carries (mapped, NAT64, 6to4), which decided the outcome. */
  embeddedIPv4?: string;
}

/** IPv6 forms that carry an IPv4 address in known bits: each is judged by that IPv4 address. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const bytes = address.toByteArray();
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4;
    case '6to4': // 2002:aabb:ccdd::/48
      return ipaddr.fromByteArray(bytes.slice(2, 6)) as ipaddr.IPv4;
    case 'rfc6052': // NAT64: 64:ff9b::a.b.c.d; the local-use 64:ff9b:1::/48 is refused below
      return address.match(ipaddr.IPv6.parse('64:ff9b::'), 96)
        ? (ipaddr.fromByteArray(bytes.slice(12)) as ipaddr.IPv4)
        : undefined;
    default:
      return undefined;
  }
}

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
const IPV4_COMPATIBLE_V6 = ipaddr.IPv6.parseCIDR('::/96');

/**
 * Rewrites an IPv6 address's trailing dotted quad as two hex groups (`::10.0.0.1` → `::a00:1`), the
 * way the socket layer reads it: ipaddr.js would take `::10.0.0.1` for the mapped `::ffff:10.0.0.1`.
 */
function withHexTail(text: string): string {
  return text.replace(/:(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (match, ...octets: string[]) => {
    const [a, b, c, d] = octets.slice(0, 4).map(Number) as [number, number, number, number];
    if ([a, b, c, d].some((octet) => octet > 255)) return match;
    return `:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  });
}

/** Classifies an IP address (IPv4 or IPv6 text, without brackets). Unparseable text is not public. */
export function classifyAddress(input: string): AddressClass {
  const text = input.includes(':') ? withHexTail(input) : input;
  if (!ipaddr.isValid(text)) return { public: false, range: 'invalid' };
  const address = ipaddr.parse(text);
  if (address.kind() === 'ipv4') {
    const range = address.range();
    return { public: range === 'unicast', range };
  }
  const v6 = address as ipaddr.IPv6;
  const range = v6.range();
  const inner = embeddedIPv4(v6);
  if (inner) {
    const innerRange = inner.range();
    return {
      public: innerRange === 'unicast',
      range: `${range}/${innerRange}`,
      embeddedIPv4: inner.toString(),
    };
  }
  // Deprecated IPv4-compatible form ::a.b.c.d (also covers :: and ::1, already named by ipaddr.js).
  if (range === 'unicast' && v6.match(IPV4_COMPATIBLE_V6)) return { public: false, range: 'ipv4Compatible' };
  // Everything outside global unicast 2000::/3 (multicast, link-local, unique local such as the EC2
  // metadata address fd00:ec2::254, unassigned space) and every special range inside it (documentation,
  // Teredo, ORCHID, ...) is refused.
  return { public: range === 'unicast' && v6.match(GLOBAL_UNICAST_V6), range };
}

export function isPublicAddress(text: string): boolean {
  return classifyAddress(text).public;
}

/** For an IP-literal URL host (brackets already removed): throws PrivateAddressError unless public. */
export function assertPublicHost(hostname: string): void {
  if (ipaddr.isValid(hostname) && !isPublicAddress(hostname)) throw new PrivateAddressError(hostname);
}

/**
 * A `lookup` for `net.connect` / `http.request` that resolves every address of the name and fails the
 * connection when any of them is not public (refusing the whole name, rather than filtering, keeps a
 * half-private name from working by chance of order).
 */
export const guardedLookup = ((
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    if (refused) return callback(new PrivateAddressError(refused.address), '');
    if (options.all) return callback(null, addresses);
    const [first] = addresses;
    if (!first)
      return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
    return callback(null, first.address, first.family);
  });
}) as LookupFunction;
