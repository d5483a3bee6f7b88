// Writes the NixOS network configuration that keeps a target reachable after the install: either the addresses,
// gateways and nameservers it has now ("static", from a probe), or DHCP on its uplink. Two styles: NixOS's
// scripted `networking.interfaces` (the default) and systemd-networkd (when the configuration uses networkd, or
// when the probe cannot predict the interface's NixOS name: networkd then matches the NIC by its MAC address, so
// `eth0` in the rescue system vs `enp3s0` in NixOS cannot leave the machine unreachable).
import type { ProbeReport } from '../../protocol/probe-report';
import { uplinks, usableNameservers, type Uplink } from '../facts/network';
import { attrName, nixString } from './edits';

export type NetworkMode = 'static' | 'dhcp';
export type NetworkStyle = 'scripted' | 'networkd';

export interface NetworkConfigOptions {
  mode: NetworkMode;
  /** Default: networkd when some uplink's NixOS name is unknown, else scripted. */
  style?: NetworkStyle;
}

export type NetworkConfig =
  | { ok: true; style: NetworkStyle; bindings: string[]; notes: string[] }
  | { ok: false; error: string };

/** The bindings (`a.b = …;`, one or more lines each) of the network configuration for a probed target. */
export function networkConfig(r: ProbeReport, options: NetworkConfigOptions): NetworkConfig {
  const links = uplinks(r);
  if (!links.length)
    return {
      ok: false,
      error:
        'the probe saw no interface with a default route, so nixkit cannot tell which network keeps ' +
        'the machine reachable',
    };
  const style = options.style ?? (links.every((l) => l.nixosName) ? 'scripted' : 'networkd');
  if (style === 'scripted') {
    const unnamed = links.find((l) => !l.nixosName);
    if (unnamed)
      return {
        ok: false,
        error:
          `the probe cannot predict the name NixOS gives ${unnamed.nic.name} (${unnamed.nic.predicted.reason}); ` +
          'use the networkd style, which matches the interface by its MAC address',
      };
  }
  if (style === 'networkd' && links.some((l) => !l.nixosName && !l.nic.mac))
    return {
      ok: false,
      error: 'an uplink has neither a predictable NixOS name nor a MAC address to match it by',
    };
  const notes: string[] = [];
  if (options.mode === 'static') {
    for (const l of links)
      if (!l.ipv4.length && !l.ipv6.length)
        return { ok: false, error: `${l.nic.name} has a default route but no global address to keep` };
    if (links.some((l) => l.dynamic))
      notes.push('Some of these addresses were leased by DHCP or autoconfigured: they may change.');
  }
  for (const l of links.filter((x) => x.nic.virtual))
    notes.push(
      `${l.nic.name} is a virtual interface (a bridge or veth) on the probed system: it is matched by its MAC ` +
        'address here; check that NixOS has an interface with that address.',
    );
  const bindings = style === 'scripted' ? scripted(r, links, options.mode) : networkd(r, links, options.mode);
  return { ok: true, style, bindings, notes };
}

/** A whole `network.nix` module for the bindings, with a header saying where they came from. */
export function networkModule(
  r: ProbeReport,
  config: Extract<NetworkConfig, { ok: true }>,
  mode: NetworkMode,
): string {
  const head = [
    `# Written by nixkit from the probe of ${r.target ?? 'the target'} taken ${r.probedAt}:`,
    mode === 'static'
      ? '# the addresses, gateways and nameservers the machine had then, so it answers after the install.'
      : '# DHCP on the interface that had the default route.',
    ...config.notes.map((n) => `# ${n}`),
  ];
  return `${head.join('\n')}\n{ ... }:\n{\n${config.bindings.map((b) => indent(b, '  ')).join('\n')}\n}\n`;
}

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

const addr = (a: { address: string; prefixLength: number }) =>
  `{ address = ${nixString(a.address)}; prefixLength = ${a.prefixLength}; }`;
const list = (items: string[]) => `[ ${items.join(' ')} ]`;

function scripted(r: ProbeReport, links: Uplink[], mode: NetworkMode): string[] {
  const out: string[] = [];
  if (mode === 'dhcp') {
    for (const l of links) out.push(`networking.interfaces.${attrName(l.nixosName!)}.useDHCP = true;`);
    return out;
  }
  out.push('networking.useDHCP = false;');
  for (const l of links) {
    const name = l.nixosName!;
    const inner: string[] = [];
    if (l.ipv4.length) inner.push(`ipv4.addresses = ${list(l.ipv4.map(addr))};`);
    if (l.ipv6.length) inner.push(`ipv6.addresses = ${list(l.ipv6.map(addr))};`);
    if (l.gateway6 && l.gateway6OutsidePrefix) {
      inner.push(
        `# The IPv6 gateway is outside the interface's prefix: a route to it on the link comes first.`,
        `ipv6.routes = [ { address = ${nixString(l.gateway6)}; prefixLength = 128; } ];`,
      );
    }
    out.push(`networking.interfaces.${attrName(name)} = {\n${indent(inner.join('\n'), '  ')}\n};`);
  }
  const gw4 = links.find((l) => l.gateway4);
  if (gw4)
    out.push(
      `networking.defaultGateway = { address = ${nixString(gw4.gateway4!)}; interface = ${nixString(gw4.nixosName!)}; };`,
    );
  const gw6 = links.find((l) => l.gateway6);
  if (gw6)
    out.push(
      `networking.defaultGateway6 = { address = ${nixString(gw6.gateway6!)}; interface = ${nixString(gw6.nixosName!)}; };`,
    );
  out.push(...resolver(r));
  return out;
}

function networkd(r: ProbeReport, links: Uplink[], mode: NetworkMode): string[] {
  const out = ['networking.useNetworkd = true;'];
  if (mode === 'static') out.push('networking.useDHCP = false;');
  links.forEach((l, i) => {
    const match = l.nixosName
      ? `matchConfig.Name = ${nixString(l.nixosName)};`
      : `matchConfig.MACAddress = ${nixString(l.nic.mac!)};`;
    const inner = [match];
    if (mode === 'dhcp') inner.push('networkConfig.DHCP = "yes";');
    else {
      inner.push(
        `address = ${list([...l.ipv4, ...l.ipv6].map((a) => nixString(`${a.address}/${a.prefixLength}`)))};`,
      );
      const routes: string[] = [];
      if (l.gateway4) routes.push(`{ Gateway = ${nixString(l.gateway4)}; }`);
      if (l.gateway6)
        routes.push(
          l.gateway6OutsidePrefix
            ? `{ Gateway = ${nixString(l.gateway6)}; GatewayOnLink = true; }`
            : `{ Gateway = ${nixString(l.gateway6)}; }`,
        );
      if (routes.length) inner.push(`routes = ${list(routes)};`);
      inner.push('networkConfig.IPv6AcceptRA = false;');
    }
    out.push(
      `systemd.network.networks.${attrName(`10-uplink${i ? `-${i}` : ''}`)} = {\n${indent(inner.join('\n'), '  ')}\n};`,
    );
  });
  if (mode === 'static') out.push(...resolver(r));
  return out;
}

function resolver(r: ProbeReport): string[] {
  const out: string[] = [];
  const ns = usableNameservers(r);
  if (ns.length) out.push(`networking.nameservers = ${list(ns.map(nixString))};`);
  if (r.network.domain) out.push(`networking.domain = ${nixString(r.network.domain)};`);
  return out;
}
