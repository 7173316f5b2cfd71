import type { LookupAddress } from 'node:dns';
import {
  assertPublicHost,
  classifyAddress,
  guardedLookup,
  PrivateAddressError,
} from '../../lambdas/delivery/address-guard';

describe('classifyAddress', () => {
  test.each([
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.10', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:10.0.0.1', 'ipv4Mapped/private'],
    ['::ffff:127.0.0.1', 'ipv4Mapped/loopback'],
    ['::ffff:a9fe:a9fe', 'ipv4Mapped/linkLocal'],
    ['::ffff:0:10.0.0.1', 'rfc6145/private'],
    ['64:ff9b::10.0.0.1', 'rfc6052/private'],
    ['64:ff9b::a9fe:a9fe', 'rfc6052/linkLocal'],
    ['64:ff9b:1::1', 'rfc6052'],
    ['2002:0a00:0001::1', '6to4/private'],
    ['2002:7f00:0001::', '6to4/loopback'],
    ['::10.0.0.1', 'ipv4Compatible'],
    ['2001::1', 'teredo'],
    ['4000::1', 'unicast'],
    ['not-an-address', 'invalid'],
  ])('%s is not public (%s)', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ public: false, range });
  });

  test.each([
    ['93.184.215.14', 'unicast'],
    ['8.8.8.8', 'unicast'],
    ['2606:4700:4700::1111', 'unicast'],
    ['::ffff:8.8.8.8', 'ipv4Mapped/unicast'],
    ['64:ff9b::8.8.8.8', 'rfc6052/unicast'],
    ['2002:0808:0808::1', '6to4/unicast'],
  ])('%s is public (%s)', (address, range) => {
    expect(classifyAddress(address)).toMatchObject({ public: true, range });
  });

  test('names the IPv4 address an IPv6 form carries', () => {
    expect(classifyAddress('64:ff9b::a00:1').embeddedIPv4).toBe('10.0.0.1');
  });
});

describe('assertPublicHost', () => {
  test('refuses a private IP literal with a clear error', () => {
    expect(() => assertPublicHost('10.0.0.1')).toThrow('refused to connect to private address 10.0.0.1');
    expect(() => assertPublicHost('::ffff:7f00:1')).toThrow(PrivateAddressError);
  });

  test('leaves public literals and host names (checked at lookup) alone', () => {
    expect(() => assertPublicHost('8.8.8.8')).not.toThrow();
    expect(() => assertPublicHost('example.com')).not.toThrow();
  });
});

describe('guardedLookup', () => {
  const lookup = (hostname: string, all: boolean) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: string | LookupAddress[] }>((resolve) =>
      guardedLookup(hostname, { all }, (error, address) => resolve({ error, address })),
    );

  test.each([true, false])(
    'refuses a host name that resolves to a private address (all: %s)',
    async (all) => {
      const { error } = await lookup('localhost', all);
      expect(error).toBeInstanceOf(PrivateAddressError);
      expect(error?.message).toMatch(/^refused to connect to private address (127\.0\.0\.1|::1)$/);
    },
  );

  test('passes on resolution errors', async () => {
    const { error } = await lookup('no-such-host.invalid', false);
    expect(error?.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
