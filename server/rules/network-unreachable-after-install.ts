import type { ProbeReport } from '../../protocol/probe-report';
import type { NixosConfiguration } from '../model/configuration';
import type { Definition } from '../model/modules';
import type { Thunk, Value } from '../model/value';
import { absenceUnsure, isImageOrContainer } from '../facts/boot';
import { uplinks, type Uplink } from '../facts/network';
import { emptyProbe, probeName } from '../facts/probe';
import { replaceValue } from '../rule-api/edits';
import { networkConfig } from '../rule-api/network-config';
import { insertIntoModule } from '../rule-api/rewrite';
import type { ConfigurationContext, Rule, RuleEdit, RuleFix } from '../rule-api/rule';

/** A dedicated server from its provider's rescue system: static IPv4 and IPv6, the v6 gateway outside the /64. */
const RESCUE = emptyProbe({
  network: {
    interfaces: [
      {
        name: 'eth0',
        mac: '90:1b:0e:8a:3c:11',
        driver: 'igb',
        state: 'up',
        virtual: false,
        addresses: [
          { family: 'inet', address: '203.0.113.7', prefixLength: 26, scope: 'global', dynamic: false },
          { family: 'inet6', address: '2001:db8:2::7', prefixLength: 64, scope: 'global', dynamic: false },
        ],
        predicted: { name: 'enp3s0', source: 'udevadm', reason: 'ID_NET_NAME_PATH' },
      },
    ],
    defaultRoutes: [
      { family: 'inet', gateway: '203.0.113.1', dev: 'eth0', proto: 'static' },
      { family: 'inet6', gateway: '2001:db8:1::1', dev: 'eth0', proto: 'static' },
    ],
    dns: ['198.51.100.53'],
    searchDomains: [],
    domain: null,
  },
});

const CONFIG = (network: string) => `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
${network}  services.openssh.enable = true;
  system.stateVersion = "24.11";
}
`;

export const networkUnreachableAfterInstall: Rule = {
  code: 'network-unreachable-after-install',
  severity: 'warning',
  title: 'The installed system will not configure the network the target has now',
  explanation:
    "A rented or dedicated server is installed from its provider's rescue system, and the classic way that " +
    'install fails is that the machine never answers again. Many such networks have no DHCP server: the address, ' +
    "the gateway (for IPv6 often outside the interface's prefix, which needs an on-link route first) and the " +
    'nameservers are static. A configuration that leaves the uplink to DHCP (NixOS does so by default) or that ' +
    'configures other addresses than the ones the network expects comes up without a working network, and the ' +
    'only way back in is the rescue system again. With a probe attached nixkit compares the configuration with the ' +
    'addresses, gateways and nameservers the target has now. It speaks only when the probe saw static addresses ' +
    '(no DHCP lease, no router advertisement) on the interface with the default route; the quick fix writes that ' +
    'static configuration under the name NixOS will give the interface. `nixkit hwconfig PROBE --network static` ' +
    'writes the same as a `network.nix`.',
  bad: { files: { 'configuration.nix': CONFIG('') }, probe: RESCUE, expect: ['configuration.nix:1'] },
  good: {
    files: {
      'configuration.nix': CONFIG(`  networking.useDHCP = false;
  networking.interfaces.enp3s0 = {
    ipv4.addresses = [ { address = "203.0.113.7"; prefixLength = 26; } ];
    ipv6.addresses = [ { address = "2001:db8:2::7"; prefixLength = 64; } ];
    ipv6.routes = [ { address = "2001:db8:1::1"; prefixLength = 128; } ];
  };
  networking.defaultGateway = { address = "203.0.113.1"; interface = "enp3s0"; };
  networking.defaultGateway6 = { address = "2001:db8:1::1"; interface = "enp3s0"; };
  networking.nameservers = [ "198.51.100.53" ];
`),
    },
    probe: RESCUE,
  },
  checkConfiguration(ctx) {
    const r = ctx.probe;
    if (!r) return;
    const { config } = ctx;
    if (isImageOrContainer(config) !== false || absenceUnsure(config, ctx.sources)) return;
    const links = uplinks(r).filter((l) => l.static && l.nixosName);
    if (!links.length) return;
    // networkd and NetworkManager profiles are configured in ways nixkit does not compare (yet): silence.
    if (
      config.defsUnder('systemd.network.networks').length ||
      config.isOpaqueAt(['systemd', 'network', 'networks'])
    )
      return;
    if (config.bool('networking.useNetworkd') !== 'unset' && config.bool('networking.useNetworkd') !== false)
      return;
    for (const l of links) checkUplink(ctx, r, l);
  },
};

interface Addr {
  address: string;
  prefixLength: number;
}

function checkUplink(ctx: ConfigurationContext, r: ProbeReport, l: Uplink): void {
  const { config } = ctx;
  const name = l.nixosName!;
  const configured: Addr[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const option = ['networking', 'interfaces', name, family, 'addresses'];
    if (config.isOpaqueAt(option)) return;
    const items = addressItems(config.defs(option), ctx.force);
    if (!items) return;
    configured.push(...items);
  }
  const expected = [...l.ipv4, ...l.ipv6];
  if (configured.length) {
    const missing = expected.filter(
      (e) => !configured.some((c) => c.address === e.address && c.prefixLength === e.prefixLength),
    );
    if (!missing.length) {
      checkGateways(ctx, r, l);
      return;
    }
    const at = config.defs([
      'networking',
      'interfaces',
      name,
      missing[0].address.includes(':') ? 'ipv6' : 'ipv4',
      'addresses',
    ])[0]?.valueAt;
    const anyAt = at ?? config.defsUnder(['networking', 'interfaces', name])[0]?.valueAt;
    if (!anyAt) return;
    ctx.report({
      at: anyAt,
      message:
        `${name} is configured with ${configured.map(show).join(', ')}, but the target (${probeName(r)}) has ` +
        `${expected.map(show).join(', ')} on it: with other addresses than the network expects, the installed ` +
        'system will not answer',
    });
    return;
  }

  // No static address for the uplink: DHCP (NixOS's default), NetworkManager, or nothing at all.
  const dhcp = dhcpOn(config, name);
  if (dhcp === undefined) return;
  const fixes = staticFix(ctx, r);
  const useDhcp = config.defs('networking.useDHCP').find((d) => !d.conditional && d.priority <= 100);
  const at = useDhcp?.valueAt ?? config.entry.at;
  if (!at) return;
  ctx.report({
    at,
    message:
      `${config.name}: ${dhcp ? 'the uplink is left to DHCP' : 'the uplink gets no address at all'}, but the ` +
      `target (${probeName(r)}) has only static addresses on ${l.nic.name} (NixOS: ${name}): ` +
      `${expected.map(show).join(', ')}. If its network has no DHCP server, the installed system will not answer; ` +
      'keep these addresses in the configuration',
    fixes,
  });
}

function checkGateways(ctx: ConfigurationContext, r: ProbeReport, l: Uplink): void {
  const { config } = ctx;
  for (const [option, want] of [
    ['networking.defaultGateway', l.gateway4],
    ['networking.defaultGateway6', l.gateway6],
  ] as const) {
    if (!want) continue;
    const v = config.value(option);
    if (v.state !== 'known') continue;
    let got: string | undefined;
    if (v.value.t === 'str') got = v.value.v;
    else if (v.value.t === 'attrs') {
      const a = v.value.attrs.get('address');
      const av = a ? ctx.force(a) : undefined;
      got = av?.t === 'str' ? av.v : undefined;
    }
    if (got === undefined || got === want) continue;
    const at = v.value.src ?? v.def.valueAt;
    if (!at) continue;
    ctx.report({
      at,
      message: `${option} is ${got}, but the target (${probeName(r)}) routes through ${want}: the installed system will not answer`,
    });
  }
}

/** The quick fix: the target's static network written into the configuration's first module file. */
function staticFix(ctx: ConfigurationContext, r: ProbeReport): RuleFix[] {
  const { config } = ctx;
  const written = networkConfig(r, { mode: 'static', style: 'scripted' });
  if (!written.ok) return [];
  const main = config.modules.find((m) => m.kind === 'file');
  if (main?.kind !== 'file') return [];
  const edits: RuleEdit[] = [];
  let bindings = written.bindings;
  // A plain `networking.useDHCP = true;` would conflict with a second definition: set that one to false.
  const plain = config.defs('networking.useDHCP').filter((d) => d.priority <= 100);
  if (plain.length > 1 || plain.some((d) => d.conditional)) return [];
  if (plain.length === 1) {
    const edit = replaceValue(plain[0], 'false');
    if (!edit) return [];
    edits.push(edit);
    bindings = bindings.filter((b) => !b.startsWith('networking.useDHCP'));
  }
  // What the fix writes must not clash: a binding of the same name in the file it goes into is a Nix error, and a
  // plain definition of a single-valued option elsewhere a module-system conflict. Then no fix, only the finding.
  for (const b of bindings) {
    const key = /^([\w.-]+) =/.exec(b)?.[1];
    if (!key || key === 'networking.useDHCP') continue;
    const defs = config.defsUnder(key.split('.'));
    if (defs.some((d) => (d.binding?.file ?? d.at?.file) === main.file)) return [];
    if (SINGLE_VALUED.has(key) && defs.some((d) => d.priority <= 100)) return [];
  }
  const edit = insertIntoModule(main.file, bindings.join('\n'), ctx.sources);
  if (!edit) return [];
  edits.push({ ...edit, newText: reindent(edit.newText) });
  return [{ title: "Keep the target's static addresses, gateways and nameservers", edits, preferred: true }];
}

/** insertIntoModule indents the first line; the following lines of a multi-line binding get the same indent. */
function reindent(text: string): string {
  const m = /^\n([ \t]*)/.exec(text);
  if (!m) return text;
  const [first, ...rest] = text.slice(1).split('\n');
  return '\n' + [first, ...rest.map((l) => (l ? m[1] + l : l))].join('\n');
}

/**
 * Whether the interface gets DHCP: true (NixOS's default `networking.useDHCP`, per-interface useDHCP,
 * NetworkManager), false (explicitly off everywhere), undefined when nixkit cannot tell.
 */
function dhcpOn(config: NixosConfiguration, name: string): boolean | undefined {
  const nm = config.bool('networking.networkmanager.enable');
  if (nm === undefined) return undefined;
  if (nm === true) return true;
  const own = config.bool(['networking', 'interfaces', name, 'useDHCP']);
  if (own === undefined) return undefined;
  if (own !== 'unset') return own;
  const global = config.bool('networking.useDHCP');
  if (global === undefined) return undefined;
  return global === 'unset' ? true : global;
}

function addressItems(defs: readonly Definition[], force: (t: Thunk) => Value): Addr[] | undefined {
  const out: Addr[] = [];
  for (const d of defs) {
    if (d.conditional || d.value.t !== 'list') return undefined;
    for (const item of d.value.items) {
      const v = force(item);
      if (v.t !== 'attrs' || v.dynamic) return undefined;
      const a = v.attrs.get('address');
      const p = v.attrs.get('prefixLength');
      const av = a ? force(a) : undefined;
      const pv = p ? force(p) : undefined;
      if (av?.t !== 'str' || pv?.t !== 'int') return undefined;
      out.push({ address: av.v, prefixLength: pv.v });
    }
  }
  return out;
}

const SINGLE_VALUED = new Set([
  'networking.defaultGateway',
  'networking.defaultGateway6',
  'networking.domain',
]);

const show = (a: Addr) => `${a.address}/${a.prefixLength}`;
