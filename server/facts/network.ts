// What a probe says about the target's uplinks: the interfaces that carry a default route, with the addresses
// the target has now (static or leased), their gateways, and whether an IPv6 gateway lies outside every prefix of
// the interface (it then needs an on-link route before it can be the default gateway). The static-network writer
// (server/rule-api/network-config.ts), the `network-unreachable-after-install` rule and `nixkit hwconfig
// --network` all read this, so they agree on what "the target's network" is.
import type { NetworkInterface, ProbeReport } from '../../protocol/probe-report';

export interface UplinkAddress {
  address: string;
  prefixLength: number;
  dynamic: boolean;
}

export interface Uplink {
  nic: NetworkInterface;
  /**
   * The name NixOS will give the interface; null when the probe cannot predict it, and for a virtual interface
   * (a bridge, a veth): NixOS has it only if the configuration makes it.
   */
  nixosName: string | null;
  ipv4: UplinkAddress[];
  ipv6: UplinkAddress[];
  gateway4: string | null;
  gateway6: string | null;
  /** The IPv6 gateway is a global address outside every prefix of the interface. */
  gateway6OutsidePrefix: boolean;
  /** Every global address is leased or autoconfigured, or a default route came from DHCP or RA. */
  dynamic: boolean;
  /** Every global address is static and no default route came from DHCP or RA. */
  static: boolean;
}

const DYNAMIC_PROTOS = new Set(['dhcp', 'ra']);

/** The interfaces with a default route, in the probe's order. */
export function uplinks(r: ProbeReport): Uplink[] {
  const out: Uplink[] = [];
  for (const nic of r.network.interfaces) {
    const routes = r.network.defaultRoutes.filter((d) => d.dev === nic.name);
    if (!routes.length) continue;
    const global = nic.addresses.filter((a) => a.scope === 'global' || a.scope === null);
    const pick = (family: 'inet' | 'inet6') =>
      global
        .filter((a) => a.family === family && !(family === 'inet6' && isLinkLocal6(a.address)))
        .map((a) => ({ address: a.address, prefixLength: a.prefixLength, dynamic: !!a.dynamic }));
    const ipv4 = pick('inet');
    const ipv6 = pick('inet6');
    const gateway4 = routes.find((d) => d.family === 'inet')?.gateway ?? null;
    const gateway6 = routes.find((d) => d.family === 'inet6')?.gateway ?? null;
    const all = [...ipv4, ...ipv6];
    const dynamicRoute = routes.some((d) => DYNAMIC_PROTOS.has(d.proto ?? ''));
    const knownFlags = nic.addresses.every((a) => a.dynamic !== undefined);
    out.push({
      nic,
      nixosName: !nic.virtual && nic.predicted.source !== 'none' ? nic.predicted.name : null,
      ipv4,
      ipv6,
      gateway4,
      gateway6,
      gateway6OutsidePrefix:
        !!gateway6 &&
        !isLinkLocal6(gateway6) &&
        !ipv6.some((a) => inPrefix6(gateway6, a.address, a.prefixLength)),
      dynamic: dynamicRoute || all.some((a) => a.dynamic),
      static: knownFlags && all.length > 0 && !dynamicRoute && all.every((a) => !a.dynamic),
    });
  }
  return out;
}

/** Nameservers the installed system can use: the rescue system's own local resolver stubs are left out. */
export function usableNameservers(r: ProbeReport): string[] {
  return r.network.dns.filter((d) => !/^127\./.test(d) && d !== '::1');
}

export function isLinkLocal6(a: string): boolean {
  return /^fe[89ab][0-9a-f]:/i.test(a);
}

/** Parses an IPv6 address (with `::` and an embedded IPv4 tail) into a 128-bit number; undefined when malformed. */
export function parse6(a: string): bigint | undefined {
  let s = a.split('%')[0].toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(s);
  if (v4) {
    const n = v4.slice(1).map(Number);
    if (n.some((x) => x > 255)) return undefined;
    s = s.slice(0, v4.index) + ((n[0] << 8) | n[1]).toString(16) + ':' + ((n[2] << 8) | n[3]).toString(16);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

export function inPrefix6(address: string, network: string, prefixLength: number): boolean {
  const a = parse6(address);
  const b = parse6(network);
  if (a === undefined || b === undefined || prefixLength < 0 || prefixLength > 128) return false;
  const shift = BigInt(128 - prefixLength);
  return a >> shift === b >> shift;
}
