import type { NetworkInterface, ProbeReport } from '../../protocol/probe-report';
import type { Source } from '../model/value';
import { attrName, nixString } from '../rule-api/edits';
import { describePrediction, emptyProbe, physicalNics, probeName } from '../facts/probe';
import type { Rule, RuleEdit, RuleFix } from '../rule-api/rule';

const HETZNER = emptyProbe({
  network: {
    interfaces: [
      {
        name: 'eth0',
        mac: '90:1b:0e:8a:3c:11',
        driver: 'e1000e',
        state: 'up',
        virtual: false,
        addresses: [{ family: 'inet', address: '203.0.113.7', prefixLength: 26, scope: 'global' }],
        predicted: { name: 'enp0s31f6', source: 'udevadm', reason: 'ID_NET_NAME_PATH' },
      },
    ],
    defaultRoutes: [{ family: 'inet', gateway: '203.0.113.1', dev: 'eth0' }],
    dns: [],
    searchDomains: [],
  },
});

const CONFIG = (nic: string) => `{ ... }:
{
  networking.interfaces.${nic}.ipv4.addresses = [ { address = "203.0.113.7"; prefixLength = 26; } ];
  networking.defaultGateway = "203.0.113.1";
}
`;

/** Interfaces the configuration creates itself (bridges, bonds, VLANs, tunnels...): not the target's NICs. */
const VIRTUAL_SETS = [
  'networking.bridges',
  'networking.bonds',
  'networking.vlans',
  'networking.macvlans',
  'networking.ipvlans',
  'networking.sits',
  'networking.greTunnels',
  'networking.fooOverUDP',
  'networking.vswitches',
  'networking.wireguard.interfaces',
  'networking.wg-quick.interfaces',
];
/** Names that are a NIC's (kernel or predictable), as opposed to names the configuration made up. */
const NIC_NAME = /^(eth\d+|en[a-z0-9]+|wl[a-z0-9]+|ww[a-z0-9]+|ib\d+)$/;

export const interfaceNotOnTarget: Rule = {
  code: 'interface-not-on-target',
  severity: 'error',
  title: 'A network interface is configured by a name the NIC will not have under NixOS',
  explanation:
    'Rescue systems and other distributions often call the NIC `eth0`; NixOS names it by its place on the bus ' +
    "(`enp0s31f6`, `ens3`: systemd's predictable names, `networking.usePredictableInterfaceNames`). A static " +
    'address, gateway or DHCP setting for `eth0` then configures an interface that never appears: the machine ' +
    'comes up without network, which on a remote server means unreachable. With a probe attached, nixkit knows ' +
    'the name each NIC will get (from `udevadm test-builtin net_id`, or its PCI address) and compares. Interfaces ' +
    'the configuration creates itself (bridges, bonds, VLANs, WireGuard) and renaming by `systemd.network.links` ' +
    'or udev rules keep the rule quiet.',
  bad: { files: { 'configuration.nix': CONFIG('eth0') }, probe: HETZNER, expect: ['configuration.nix:3'] },
  good: { files: { 'configuration.nix': CONFIG('enp0s31f6') }, probe: HETZNER },
  checkConfiguration(ctx) {
    const r = ctx.probe;
    if (!r) return;
    const { config } = ctx;
    // Names other than the predictable ones, or renaming nixkit does not follow.
    const predictable = config.bool('networking.usePredictableInterfaceNames');
    if (predictable !== 'unset' && predictable !== true) return;
    for (const o of ['systemd.network.links', 'services.udev.extraRules', 'services.udev.rules'])
      if (config.defsUnder(o).length || config.isOpaqueAt(o.split('.'))) return;
    for (const d of config.defs('boot.kernelParams')) {
      if (d.conditional || d.value.t !== 'list') return;
      for (const item of d.value.items) {
        const v = ctx.force(item);
        if (v.t !== 'str' || /^net\.ifnames=|^biosdevname=/.test(v.v)) return;
      }
    }
    const { nics, allPredicted } = physicalNics(r);
    if (!nics.length) return;
    const virtual = new Set<string>();
    let virtualComplete = true;
    for (const set of VIRTUAL_SETS) {
      const c = config.children(set);
      c.names.forEach((n) => virtual.add(n));
      if (!c.complete) virtualComplete = false;
    }
    for (const d of config.defsUnder('systemd.network.netdevs'))
      if (d.path.at(-1) === 'Name' && d.value.t === 'str') virtual.add(d.value.v);
      else if (d.path.at(-1) === 'Name') virtualComplete = false;
    const configured = config.children('networking.interfaces').names;
    const lookup = (name: string) => decide(r, nics, allPredicted, name, virtual, virtualComplete);

    for (const name of configured) {
      if (config.bool(['networking', 'interfaces', name, 'virtual']) !== 'unset') continue;
      const d = lookup(name);
      if (!d) continue;
      const keys = new Map<string, Source>();
      for (const def of config.defsUnder(['networking', 'interfaces', name])) {
        const k = def.pathAt[2];
        if (k) keys.set(`${k.file}:${k.span.start}`, k);
      }
      const first = [...keys.values()][0];
      if (!first) continue;
      const fixes: RuleFix[] = [];
      if (d.rename && !configured.includes(d.rename)) {
        const edits: RuleEdit[] = [...keys.values()].map((at) => ({ at, newText: attrName(d.rename!) }));
        fixes.push({ title: `Rename to ${d.rename}`, edits, preferred: true });
      }
      ctx.report({ at: first, message: `networking.interfaces.${name}: ${d.message}`, fixes });
    }
    for (const option of ['networking.defaultGateway.interface', 'networking.defaultGateway6.interface']) {
      const v = config.value(option);
      if (v.state !== 'known' || v.def.conditional || v.value.t !== 'str') continue;
      const at = v.value.src ?? v.def.valueAt;
      const d = lookup(v.value.v);
      if (!d || !at) continue;
      const text = ctx.sources.parsed(at.file)?.lines.text.slice(at.span.start, at.span.end);
      const fixes: RuleFix[] =
        d.rename && text === nixString(v.value.v)
          ? [{ title: `Use ${d.rename}`, edits: [{ at, newText: nixString(d.rename) }], preferred: true }]
          : [];
      ctx.report({ at, message: `${option} is ${v.value.v}: ${d.message}`, fixes });
    }
  },
};

function decide(
  r: ProbeReport,
  nics: NetworkInterface[],
  allPredicted: boolean,
  name: string,
  virtual: Set<string>,
  virtualComplete: boolean,
): { message: string; rename?: string } | undefined {
  if (name === 'lo' || virtual.has(name)) return undefined;
  if (nics.some((n) => n.predicted.name === name)) return undefined;
  const now = nics.filter((n) => n.name === name && n.predicted.name && n.predicted.source !== 'none');
  if (now.length === 1) {
    const nic = now[0];
    return {
      message:
        `the NIC is ${name} on the target now, but NixOS will name it ${nic.predicted.name} ` +
        `(${describePrediction(nic)}${nic.mac ? `; MAC ${nic.mac}` : ''}, ${probeName(r)}): ` +
        `nothing called ${name} will exist and the machine may come up without network`,
      rename: nic.predicted.name!,
    };
  }
  if (!allPredicted || !virtualComplete || !NIC_NAME.test(name) || nics.some((n) => n.name === name))
    return undefined;
  const list = nics
    .map(
      (n) =>
        `${n.predicted.name}${n.predicted.name !== n.name ? ` (now ${n.name})` : ''}${n.mac ? ` ${n.mac}` : ''}`,
    )
    .join(', ');
  return {
    message:
      `the target has no NIC that NixOS will name ${name}; it will name its NICs ${list} (${probeName(r)}): ` +
      'the interface will not exist and the machine may come up without network',
    rename: nics.length === 1 ? nics[0].predicted.name! : undefined,
  };
}
