import { describe, expect, it } from 'vitest';
import { embeddedIpv4, ipv6Bytes } from './http-address';
import { isPrivateAddress } from './http-fetch';

describe('private address table', () => {
  // Every address the probe got through, and the IPv6 forms that carry a private IPv4 address.
  const blocked = [
    ['::7f00:1', 'IPv4-compatible 127.0.0.1'],
    ['::127.0.0.1', 'IPv4-compatible, dotted'],
    ['::ffff:127.0.0.1', 'IPv4-mapped'],
    ['::ffff:7f00:1', 'IPv4-mapped, hex'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped cloud metadata'],
    ['::ffff:0:7f00:1', 'IPv4-translated'],
    ['64:ff9b::7f00:1', 'NAT64 of 127.0.0.1'],
    ['64:ff9b::10.0.0.1', 'NAT64 of 10.0.0.1, dotted'],
    ['64:ff9b::c0a8:101', 'NAT64 of 192.168.1.1'],
    ['64:ff9b:1::1', 'local-use NAT64'],
    ['2002:7f00:1::', '6to4 of 127.0.0.1'],
    ['2002:a9fe:a9fe::1', '6to4 of 169.254.169.254'],
    ['2002:c0a8:101:0:0:0:0:1', '6to4 of 192.168.1.1, uncompressed'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['fec0::1', 'site-local'],
    ['feff::1', 'site-local, top of range'],
    ['fe80::1%eth0', 'link-local with zone'],
    ['fd12:3456::1', 'unique local'],
    ['ff02::1', 'multicast'],
    ['100::1', 'discard-only'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.254', 'benchmarking, top'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'SSDP multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.0.1', 'IETF protocol assignments'],
    ['192.0.0.170', 'NAT64 discovery'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'cloud metadata'],
    ['100.64.0.1', 'carrier NAT'],
    ['0.0.0.0', 'this network'],
  ] as const;
  it.each(blocked)('blocks %s (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '198.20.0.1', '223.255.255.255', '192.0.1.1', '2606:4700::1111', '2a00:1450:4001::200e', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'];
  it.each(allowed)('allows public %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('decodes the IPv4 address inside IPv6 forms', () => {
    expect(embeddedIpv4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(embeddedIpv4('64:ff9b::c0a8:101')).toBe('192.168.1.1');
    expect(embeddedIpv4('2002:a9fe:a9fe::1')).toBe('169.254.169.254');
    expect(embeddedIpv4('2606:4700::1111')).toBeUndefined();
    expect([...ipv6Bytes('1:2::ff')!]).toEqual([0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff]);
  });
});
