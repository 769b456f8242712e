/**
 * Which addresses http.fetch may connect to, and a DNS `lookup` for node:http that checks
 * every address it hands to the socket. The socket connects to exactly the address that was
 * checked, so a name that answers public first and private next (DNS rebinding) gains nothing.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP } from 'node:net';
import { permanent, transient } from '../../errors';

/** IPv4 ranges a workflow must not reach by default: this host, the LAN, carrier NAT, cloud metadata, benchmarking, multicast, reserved. */
const privateV4 = (() => {
  const list = new BlockList();
  for (const [net, bits] of [
    ['0.0.0.0', 8], // "this network"
    ['10.0.0.0', 8],
    ['100.64.0.0', 10], // carrier-grade NAT
    ['127.0.0.0', 8],
    ['169.254.0.0', 16], // link-local, cloud metadata
    ['172.16.0.0', 12],
    ['192.0.0.0', 24], // IETF protocol assignments
    ['192.88.99.0', 24], // 6to4 relay anycast
    ['192.168.0.0', 16],
    ['198.18.0.0', 15], // benchmarking
    ['224.0.0.0', 4], // multicast
    ['240.0.0.0', 4], // reserved, includes 255.255.255.255
  ] as const) {
    list.addSubnet(net, bits, 'ipv4');
  }
  return list;
})();

/** IPv6 ranges blocked outright (those embedding an IPv4 address are decoded instead, below). */
const privateV6 = (() => {
  const list = new BlockList();
  list.addSubnet('64:ff9b:1::', 48, 'ipv6'); // local-use NAT64
  list.addSubnet('100::', 64, 'ipv6'); // discard-only
  list.addSubnet('2001::', 32, 'ipv6'); // Teredo: tunnels to any IPv4 address
  list.addSubnet('fc00::', 7, 'ipv6'); // unique local
  list.addSubnet('fe80::', 10, 'ipv6'); // link-local
  list.addSubnet('fec0::', 10, 'ipv6'); // site-local (deprecated, still routed by some stacks)
  list.addSubnet('ff00::', 8, 'ipv6'); // multicast
  return list;
})();

/** The 16 bytes of an IPv6 address (any textual form, with or without a trailing dotted IPv4). */
export function ipv6Bytes(address: string): Uint8Array | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.replace(/%.*$/, ''); // zone id
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes;
}

const v4 = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
const zero = (b: Uint8Array, from: number, to: number) => b.subarray(from, to).every((x) => x === 0);

/**
 * The IPv4 address an IPv6 address carries, for the forms that reach IPv4 hosts:
 * IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d` (deprecated, `::7f00:1` is 127.0.0.1),
 * IPv4-translated `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d` and 6to4 `2002:AABB:CCDD::`.
 */
export function embeddedIpv4(address: string): string | undefined {
  const b = ipv6Bytes(address);
  if (!b) return undefined;
  if (zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return v4(b, 12);
  if (zero(b, 0, 12)) return v4(b, 12);
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) return v4(b, 12);
  if (b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zero(b, 4, 12)) return v4(b, 12);
  if (b[0] === 0x20 && b[1] === 0x02) return v4(b, 2);
  return undefined;
}

/** Loopback, private, link-local, multicast, reserved, and IPv6 forms of any of them. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateV4.check(address, 'ipv4');
  if (family !== 6) return false;
  const carried = embeddedIpv4(address);
  if (carried !== undefined) return privateV4.check(carried, 'ipv4');
  return privateV6.check(address.replace(/%.*$/, ''), 'ipv6');
}

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Resolves a host name to every address it has. @default dns.lookup with `all: true` */
export type HostResolver = (hostname: string) => Promise<ResolvedAddress[]>;
export const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

export function privateAddressError(host: string, address: string) {
  return permanent(
    'PRIVATE_ADDRESS',
    `http.fetch refuses '${host}' (${address}): loopback, private, link-local and reserved addresses are blocked; ` +
      'set AWE_HTTP_ALLOW_HOSTS or AWE_HTTP_ALLOW_PRIVATE=1 to allow them',
  );
}

/**
 * A `lookup` for http.request: resolves once and refuses the host when any of its
 * addresses is private (unless `checked` is false), then hands the socket those same addresses.
 */
export function checkedLookup(resolve: HostResolver, checked: boolean): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const blocked = checked ? all.find((a) => isPrivateAddress(a.address)) : undefined;
        if (blocked) return callback(privateAddressError(hostname, blocked.address) as unknown as NodeJS.ErrnoException, '', 0);
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family ? all.filter((a) => a.family === family) : all;
        if (usable.length === 0) {
          const err = Object.assign(new Error(`host '${hostname}' has no IPv${family || ''} address`), { code: 'ENOTFOUND' });
          return callback(err, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, usable);
        callback(null, usable[0].address, usable[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/** Turns a resolver failure into the tool's error: an unknown host is permanent, the rest may pass. */
export function dnsError(host: string, err: unknown) {
  const code = (err as { code?: string }).code;
  if (code === 'ENOTFOUND') return permanent('HOST_NOT_FOUND', `host '${host}' was not found`, { cause: err });
  return transient(code ?? 'DNS_ERROR', `could not resolve host '${host}': ${(err as Error).message}`, { cause: err });
}
