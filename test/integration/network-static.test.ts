// A rented server's network, for real: a target namespace whose uplink has static IPv4 and IPv6 addresses, no DHCP
// server anywhere, and an IPv6 gateway outside the interface's /64 (reached through an on-link route), behind a
// gateway namespace. The real probe script runs inside the target namespace; nixkit writes network.nix from what it
// saw; Nix evaluates that file; and a script applies exactly the addresses and routes it describes to a FRESH
// namespace behind a fresh gateway, which must then reach both gateways (ping over the veth). Both styles are
// proven: scripted `networking.interfaces` (with the interface's NixOS name) and networkd (matched by MAC). Then
// the finding: a DHCP-only configuration checked against the saved probe is reported, and the quick fix clears it.
//
// Everything made here is named with this process's id and torn down in `after`, on exit and on a signal; nothing
// depends on other namespaces or interfaces on the machine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseProbeOutput } from '../../engine/probe/probe-parse';
import { PROBE_SCRIPT } from '../../engine/probe/probe-script';
import type { ProbeReport } from '../../protocol/probe-report';
import { checkPaths } from '../../server/analysis/check-files';
import { uplinks } from '../../server/facts/network';
import { networkConfig, networkModule, type NetworkStyle } from '../../server/rule-api/network-config';
import { tempDir } from '../helpers';

const ID = String(process.pid % 100000);
const SUB = String(1 + (process.pid % 250)); // the /24 and /64 of this run
const V4_NET = `10.234.${SUB}`;
const TARGET_V4 = `${V4_NET}.2`;
const GW_V4 = `${V4_NET}.1`;
const TARGET_V6 = `fd00:6e6b:${SUB}::2`;
const GW_V6 = 'fd00:6e6b:ffff::1'; // outside the target's /64
const made: string[] = []; // namespaces, deleted in reverse

function sh(...argv: string[]): string {
  return execFileSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
  });
}
function netns(name: string): string {
  sh('ip', 'netns', 'add', name);
  made.push(name);
  return name;
}
const inNs = (ns: string, ...argv: string[]) => sh('ip', 'netns', 'exec', ns, ...argv);

function teardown(): void {
  while (made.length) {
    const ns = made.pop()!;
    try {
      execFileSync('ip', ['netns', 'delete', ns], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // already gone
    }
  }
}
process.on('exit', teardown);
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    teardown();
    process.exit(130);
  });

/** A gateway namespace on the other end of `veth` in `inner`: the IPv4 gateway, and the IPv6 one as a /128. */
function gatewayFor(inner: string, innerVeth: string, tag: string): void {
  const gw = netns(`nkn-${ID}-${tag}g`);
  const peer = `nk${ID}${tag}g`.slice(0, 15);
  sh('ip', 'link', 'add', innerVeth, 'netns', inner, 'type', 'veth', 'peer', 'name', peer, 'netns', gw);
  inNs(gw, 'ip', 'link', 'set', 'lo', 'up');
  inNs(gw, 'ip', 'link', 'set', peer, 'up');
  inNs(gw, 'ip', 'addr', 'add', `${GW_V4}/24`, 'dev', peer);
  inNs(gw, 'ip', '-6', 'addr', 'add', `${GW_V6}/128`, 'dev', peer, 'nodad');
  inNs(gw, 'ip', '-6', 'route', 'add', `fd00:6e6b:${SUB}::/64`, 'dev', peer);
}

let report: ProbeReport;
let work: string;

before(() => {
  work = tempDir('network-static');
  const target = netns(`nkn-${ID}-t`);
  const nic = `nk${ID}t`.slice(0, 15);
  gatewayFor(target, nic, 't');
  inNs(target, 'ip', 'link', 'set', 'lo', 'up');
  inNs(target, 'ip', 'link', 'set', nic, 'up');
  inNs(target, 'ip', 'addr', 'add', `${TARGET_V4}/24`, 'dev', nic);
  inNs(target, 'ip', '-6', 'addr', 'add', `${TARGET_V6}/64`, 'dev', nic, 'nodad');
  inNs(target, 'ip', 'route', 'add', 'default', 'via', GW_V4, 'dev', nic);
  inNs(target, 'ip', '-6', 'route', 'add', GW_V6, 'dev', nic);
  inNs(target, 'ip', '-6', 'route', 'add', 'default', 'via', GW_V6, 'dev', nic);
  // The real probe script, run where the target's network is (as the SSH session runs it: sh -c SCRIPT).
  const out = execFileSync('ip', ['netns', 'exec', target, 'sh', '-c', PROBE_SCRIPT], { timeout: 60_000 });
  report = parseProbeOutput(out, { target: `root@${TARGET_V4}` });
});

after(() => {
  teardown();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Applies what network.nix (as Nix evaluates it) says to a fresh namespace, as NixOS would set up the links. */
function applyTo(ns: string, nic: string, evaluated: EvaluatedNetwork, style: NetworkStyle): void {
  inNs(ns, 'ip', 'link', 'set', 'lo', 'up');
  inNs(ns, 'ip', 'link', 'set', nic, 'up');
  const add = (a: string) =>
    inNs(
      ns,
      'ip',
      ...(a.includes(':') ? ['-6'] : []),
      'addr',
      'add',
      a,
      'dev',
      nic,
      ...(a.includes(':') ? ['nodad'] : []),
    );
  if (style === 'scripted') {
    const iface = Object.values(evaluated.networking.interfaces ?? {})[0];
    assert.ok(iface, 'network.nix configures an interface');
    for (const a of [...(iface.ipv4?.addresses ?? []), ...(iface.ipv6?.addresses ?? [])])
      add(`${a.address}/${a.prefixLength}`);
    for (const r of iface.ipv6?.routes ?? [])
      inNs(ns, 'ip', '-6', 'route', 'add', `${r.address}/${r.prefixLength}`, 'dev', nic);
    const gw4 = evaluated.networking.defaultGateway;
    const gw6 = evaluated.networking.defaultGateway6;
    if (gw4) inNs(ns, 'ip', 'route', 'add', 'default', 'via', gw4.address, 'dev', nic);
    if (gw6) inNs(ns, 'ip', '-6', 'route', 'add', 'default', 'via', gw6.address, 'dev', nic);
  } else {
    const net = Object.values(evaluated.systemd?.network?.networks ?? {})[0];
    assert.ok(net, 'network.nix configures a networkd network');
    for (const a of net.address ?? []) add(a);
    for (const r of net.routes ?? [])
      inNs(
        ns,
        'ip',
        ...(r.Gateway.includes(':') ? ['-6'] : []),
        'route',
        'add',
        'default',
        'via',
        r.Gateway,
        'dev',
        nic,
        ...(r.GatewayOnLink ? ['onlink'] : []),
      );
  }
}

interface EvaluatedNetwork {
  networking: {
    interfaces?: Record<
      string,
      {
        ipv4?: { addresses?: { address: string; prefixLength: number }[] };
        ipv6?: {
          addresses?: { address: string; prefixLength: number }[];
          routes?: { address: string; prefixLength: number }[];
        };
      }
    >;
    defaultGateway?: { address: string; interface: string };
    defaultGateway6?: { address: string; interface: string };
  };
  systemd?: {
    network?: {
      networks?: Record<
        string,
        { address?: string[]; routes?: { Gateway: string; GatewayOnLink?: boolean }[] }
      >;
    };
  };
}

describe('a static network with an IPv6 gateway outside the prefix, from the probe to a namespace that answers', () => {
  test('the probe saw the static addresses, both default routes, and the gateway outside the /64', () => {
    const [l, ...others] = uplinks(report);
    assert.equal(others.length, 0);
    assert.deepEqual(
      [...l.ipv4, ...l.ipv6].map((a) => `${a.address}/${a.prefixLength}`),
      [`${TARGET_V4}/24`, `${TARGET_V6}/64`],
    );
    assert.equal(l.gateway4, GW_V4);
    assert.equal(l.gateway6, GW_V6);
    assert.equal(l.gateway6OutsidePrefix, true);
    assert.equal(l.static, true, 'no address was leased, no route came from DHCP or RA');
  });

  for (const style of ['scripted', 'networkd'] as const) {
    test(`${style}: network.nix checks clean, and its addresses and routes reach both gateways in a fresh namespace`, () => {
      const nicName = `nk${ID}${style[0]}`.slice(0, 15);
      // The target's NIC is a veth: NixOS would keep its name. For the scripted style the test says so (as a
      // probe's udev prediction would for a real NIC); networkd matches it by MAC as it stands.
      const probe: ProbeReport = JSON.parse(JSON.stringify(report));
      if (style === 'scripted')
        for (const i of probe.network.interfaces)
          if (i.name.startsWith(`nk${ID}`)) {
            i.virtual = false;
            i.predicted = { name: nicName, source: 'kernel', reason: 'the test names it' };
          }
      const written = networkConfig(probe, { mode: 'static', style });
      assert.ok(written.ok, written.ok ? '' : written.error);
      const file = path.join(work, `network-${style}.nix`);
      fs.writeFileSync(file, networkModule(probe, written, 'static'));

      return (async () => {
        const checked = await checkPaths([file]);
        assert.deepEqual(
          checked.findings.map((f) => `${f.code}: ${f.message}`),
          [],
          'network.nix checks clean',
        );
        const evaluated = JSON.parse(
          sh(
            'nix-instantiate',
            '--eval',
            '--strict',
            '--json',
            '-E',
            `let m = import ${file} {}; in { networking = m.networking or {}; systemd = m.systemd or {}; }`,
          ),
        ) as EvaluatedNetwork;
        const fresh = netns(`nkn-${ID}-${style[0]}`);
        gatewayFor(fresh, nicName, style[0]);
        if (style === 'networkd') {
          // networkd matches by MAC: give the fresh NIC the probed one's address, as the same machine would have.
          const mac = uplinks(probe)[0].nic.mac!;
          inNs(fresh, 'ip', 'link', 'set', nicName, 'address', mac);
        }
        applyTo(fresh, nicName, evaluated, style);
        inNs(fresh, 'ping', '-c', '1', '-W', '5', GW_V4);
        inNs(fresh, 'ping', '-6', '-c', '1', '-W', '5', GW_V6);
      })();
    });
  }

  test('a DHCP-only configuration is reported against the saved probe, and the quick fix clears it', async () => {
    const dir = path.join(work, 'flake-like');
    fs.mkdirSync(path.join(dir, '.nixkit', 'hosts'), { recursive: true });
    const probe: ProbeReport = JSON.parse(JSON.stringify(report));
    for (const i of probe.network.interfaces)
      if (i.name.startsWith(`nk${ID}`)) {
        i.virtual = false;
        i.predicted = { name: 'enp1s0', source: 'udevadm', reason: 'ID_NET_NAME_PATH' };
      }
    fs.writeFileSync(path.join(dir, '.nixkit', 'hosts', 'flake-like.json'), JSON.stringify(probe));
    const file = path.join(dir, 'configuration.nix');
    fs.writeFileSync(
      file,
      `{ ... }:\n{\n  boot.loader.systemd-boot.enable = true;\n  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };\n  networking.useDHCP = true;\n  system.stateVersion = "24.11";\n}\n`,
    );
    const first = (await checkPaths([dir])).findings.filter(
      (f) => f.code === 'network-unreachable-after-install',
    );
    assert.equal(first.length, 1);
    const fix = first[0].fixes?.[0];
    assert.ok(fix);
    let text = fs.readFileSync(file, 'utf8');
    const offset = (p: { line: number; character: number }) =>
      text.split('\n').slice(0, p.line).join('\n').length + (p.line ? 1 : 0) + p.character;
    for (const e of [...fix.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)))
      text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
    fs.writeFileSync(file, text);
    const again = (await checkPaths([dir])).findings.filter(
      (f) => f.code === 'syntax-error' || f.code === 'network-unreachable-after-install',
    );
    assert.deepEqual(
      again.map((f) => f.message),
      [],
    );
    assert.match(text, new RegExp(`defaultGateway6 = \\{ address = "${GW_V6}"; interface = "enp1s0"; \\};`));
  });
});
