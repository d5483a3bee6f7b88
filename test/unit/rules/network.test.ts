// Static networks from the target's own facts: which interfaces are uplinks and whether their addresses are static,
// the network.nix nixkit writes (checked by evaluating it with Nix itself), `nixkit hwconfig --network`, and the
// `network-unreachable-after-install` finding with its quick fix applied and checked again.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { CliIO } from '../../../cli/io';
import { main } from '../../../cli/main';
import type { NetworkInterface, ProbeReport } from '../../../protocol/probe-report';
import { checkPaths } from '../../../server/analysis/check-files';
import { inPrefix6, parse6, uplinks } from '../../../server/facts/network';
import { emptyProbe } from '../../../server/facts/probe';
import { networkConfig, networkModule } from '../../../server/rule-api/network-config';
import { tempDir } from '../../helpers';

type Address = NetworkInterface['addresses'][number];
const v4 = (address: string, prefixLength: number, dynamic = false): Address => ({
  family: 'inet',
  address,
  prefixLength,
  scope: 'global',
  dynamic,
});
const v6 = (address: string, prefixLength: number, dynamic = false): Address => ({
  family: 'inet6',
  address,
  prefixLength,
  scope: 'global',
  dynamic,
});

function rescue(
  over: {
    addresses?: Address[];
    predicted?: string | null;
    proto?: string;
    dns?: string[];
    domain?: string;
  } = {},
): ProbeReport {
  return emptyProbe({
    network: {
      interfaces: [
        {
          name: 'eth0',
          mac: '90:1b:0e:8a:3c:11',
          driver: 'igb',
          state: 'up',
          virtual: false,
          addresses: over.addresses ?? [
            v4('203.0.113.7', 26),
            v6('2001:db8:2::7', 64),
            {
              family: 'inet6',
              address: 'fe80::921b:eff:fe8a:3c11',
              prefixLength: 64,
              scope: 'link',
              dynamic: false,
            },
          ],
          predicted:
            over.predicted === null
              ? { name: null, source: 'none', reason: 'no udevadm and no PCI path' }
              : { name: over.predicted ?? 'enp3s0', source: 'udevadm', reason: 'ID_NET_NAME_PATH' },
        },
        {
          name: 'docker0',
          mac: '02:42:ac:11:00:01',
          driver: null,
          state: 'down',
          virtual: true,
          addresses: [v4('172.17.0.1', 16)],
          predicted: { name: null, source: 'none', reason: 'virtual' },
        },
      ],
      defaultRoutes: [
        { family: 'inet', gateway: '203.0.113.1', dev: 'eth0', proto: over.proto ?? 'static' },
        { family: 'inet6', gateway: '2001:db8:1::1', dev: 'eth0', proto: over.proto ?? 'static' },
      ],
      dns: over.dns ?? ['127.0.0.53', '198.51.100.53', '2001:db8:53::53'],
      searchDomains: [],
      domain: over.domain ?? null,
    },
  });
}

/** Evaluates a module file's `networking` and `systemd.network` with Nix 2.8 itself, as JSON. */
function evalModule(file: string): { networking?: unknown; systemd?: unknown } {
  const json = execFileSync(
    'nix-instantiate',
    [
      '--eval',
      '--strict',
      '--json',
      '-E',
      `let m = import ${file} {}; in { inherit (m) networking; systemd = m.systemd or null; }`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return JSON.parse(json) as { networking?: unknown; systemd?: unknown };
}

describe('uplinks from a probe', () => {
  test('the interface with the default route; static; an IPv6 gateway outside the /64; link-local and virtual left out', () => {
    const [l, ...rest] = uplinks(rescue());
    assert.equal(rest.length, 0);
    assert.equal(l.nixosName, 'enp3s0');
    assert.deepEqual(
      [...l.ipv4, ...l.ipv6].map((a) => `${a.address}/${a.prefixLength}`),
      ['203.0.113.7/26', '2001:db8:2::7/64'],
    );
    assert.equal(l.gateway6OutsidePrefix, true);
    assert.equal(l.static, true);
    assert.equal(l.dynamic, false);
  });
  test('a lease or a route from DHCP/RA is dynamic; a probe without the flags (older) is neither', () => {
    assert.equal(uplinks(rescue({ addresses: [v4('203.0.113.7', 26, true)] }))[0].dynamic, true);
    assert.equal(uplinks(rescue({ proto: 'dhcp' }))[0].static, false);
    const old = rescue({
      addresses: [{ family: 'inet', address: '203.0.113.7', prefixLength: 26, scope: 'global' }],
    });
    assert.equal(uplinks(old)[0].static, false);
    assert.equal(uplinks(old)[0].dynamic, false);
  });
  test('IPv6 prefixes: compressed forms, embedded IPv4, malformed input', () => {
    assert.equal(parse6('::1'), 1n);
    assert.equal(parse6('2001:db8::'), 0x20010db8n << 96n);
    assert.equal(parse6('::ffff:192.0.2.1'), (0xffffn << 32n) | 0xc0000201n);
    assert.equal(parse6('1::2::3'), undefined);
    assert.equal(parse6('12345::'), undefined);
    assert.equal(parse6('1:2:3:4:5:6:7:8:9'), undefined);
    assert.equal(inPrefix6('2001:db8:2::1', '2001:db8:2::7', 64), true);
    assert.equal(inPrefix6('2001:db8:1::1', '2001:db8:2::7', 64), false);
    assert.equal(inPrefix6('2001:db8:1::1', '2001:db8:2::7', 46), true);
  });
});

describe('the network configuration nixkit writes', () => {
  test('static, scripted: exactly the addresses, the on-link route, both gateways and usable nameservers (Nix evaluates it)', () => {
    const r = rescue({ domain: 'example.com' });
    const written = networkConfig(r, { mode: 'static' });
    assert.ok(written.ok);
    assert.equal(written.style, 'scripted');
    const dir = tempDir('netcfg');
    const file = path.join(dir, 'network.nix');
    fs.writeFileSync(file, networkModule(r, written, 'static'));
    assert.deepEqual(evalModule(file).networking, {
      useDHCP: false,
      interfaces: {
        enp3s0: {
          ipv4: { addresses: [{ address: '203.0.113.7', prefixLength: 26 }] },
          ipv6: {
            addresses: [{ address: '2001:db8:2::7', prefixLength: 64 }],
            routes: [{ address: '2001:db8:1::1', prefixLength: 128 }],
          },
        },
      },
      defaultGateway: { address: '203.0.113.1', interface: 'enp3s0' },
      defaultGateway6: { address: '2001:db8:1::1', interface: 'enp3s0' },
      nameservers: ['198.51.100.53', '2001:db8:53::53'],
      domain: 'example.com',
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an interface NixOS will name unpredictably: networkd, matched by MAC, the v6 gateway on-link', () => {
    const r = rescue({ predicted: null });
    assert.equal(networkConfig(r, { mode: 'static', style: 'scripted' }).ok, false);
    const written = networkConfig(r, { mode: 'static' });
    assert.ok(written.ok);
    assert.equal(written.style, 'networkd');
    const dir = tempDir('netcfg');
    const file = path.join(dir, 'network.nix');
    fs.writeFileSync(file, networkModule(r, written, 'static'));
    const evaluated = evalModule(file) as { systemd: { network: { networks: Record<string, unknown> } } };
    assert.deepEqual(evaluated.systemd.network.networks['10-uplink'], {
      matchConfig: { MACAddress: '90:1b:0e:8a:3c:11' },
      address: ['203.0.113.7/26', '2001:db8:2::7/64'],
      routes: [{ Gateway: '203.0.113.1' }, { Gateway: '2001:db8:1::1', GatewayOnLink: true }],
      networkConfig: { IPv6AcceptRA: false },
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('hostile strings from the target stay data: a nameserver and a domain with quotes and ${}', () => {
    const r = rescue({ dns: ['1.1.1.1"; system.x = "${builtins.abort "boom"}'], domain: 'a"${x}.example' });
    const written = networkConfig(r, { mode: 'static' });
    assert.ok(written.ok);
    const dir = tempDir('netcfg');
    const file = path.join(dir, 'network.nix');
    fs.writeFileSync(file, networkModule(r, written, 'static'));
    const n = evalModule(file).networking as { nameservers: string[]; domain: string };
    assert.deepEqual(n.nameservers, ['1.1.1.1"; system.x = "${builtins.abort "boom"}']);
    assert.equal(n.domain, 'a"${x}.example');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('no uplink: a clear refusal', () => {
    const r = emptyProbe();
    const written = networkConfig(r, { mode: 'static' });
    assert.equal(written.ok, false);
    assert.match((written as { error: string }).error, /no interface with a default route/);
  });
});

describe('nixkit hwconfig --network', () => {
  async function run(args: string[], cwd: string) {
    let out = '';
    let err = '';
    const io: CliIO = {
      cwd,
      env: {},
      signal: new AbortController().signal,
      stdout: (s: string) => void (out += s),
      stderr: (s: string) => void (err += s),
    };
    const code = await main(['hwconfig', ...args], io);
    return { code, out, err };
  }

  test('writes network.nix beside the hardware configuration, which imports it; both check clean', async () => {
    const dir = tempDir('hwnet');
    fs.writeFileSync(path.join(dir, 'probe.json'), JSON.stringify(rescue()));
    const r = await run(['probe.json', '--out', 'hardware-configuration.nix', '--network', 'static'], dir);
    assert.equal(r.code, 0, r.err);
    assert.match(fs.readFileSync(path.join(dir, 'hardware-configuration.nix'), 'utf8'), /\.\/network\.nix/);
    assert.match(fs.readFileSync(path.join(dir, 'network.nix'), 'utf8'), /defaultGateway6/);
    const checked = await checkPaths([
      path.join(dir, 'network.nix'),
      path.join(dir, 'hardware-configuration.nix'),
    ]);
    assert.deepEqual(
      checked.findings
        .filter((f) => f.severity === 'error' || f.severity === 'warning')
        .map((f) => f.message),
      [],
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('usage errors are clear', async () => {
    const dir = tempDir('hwnet');
    fs.writeFileSync(path.join(dir, 'probe.json'), JSON.stringify(rescue()));
    const bad = await run(['probe.json', '--out', 'hw.nix', '--network', 'maybe'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--network is "static" or "dhcp"/);
    const noOut = await run(['probe.json', '--network', 'static'], dir);
    assert.equal(noOut.code, 2);
    assert.match(noOut.err, /give --out/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('network-unreachable-after-install', () => {
  const CONFIG = (network: string, args = '{ ... }') => `${args}:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
${network}  system.stateVersion = "24.11";
}
`;
  async function check(files: Record<string, string>, probe?: ProbeReport) {
    const dir = tempDir('netrule');
    for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), text);
    if (probe) {
      fs.mkdirSync(path.join(dir, '.nixkit', 'hosts'), { recursive: true });
      fs.writeFileSync(
        path.join(dir, '.nixkit', 'hosts', `${path.basename(dir)}.json`),
        JSON.stringify(probe),
      );
    }
    const result = await checkPaths([dir]);
    assert.deepEqual(
      result.findings.filter((f) => f.code === 'syntax-error'),
      [],
    );
    return { dir, found: result.findings.filter((f) => f.code === 'network-unreachable-after-install') };
  }
  function applyFirstFix(found: {
    fixes?: {
      edits: {
        file: string;
        range: { start: { line: number; character: number }; end: { line: number; character: number } };
        newText: string;
      }[];
    }[];
  }) {
    const fix = found.fixes?.[0];
    assert.ok(fix, 'a fix');
    const byFile = new Map<string, typeof fix.edits>();
    for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
    for (const [file, edits] of byFile) {
      let text = fs.readFileSync(file, 'utf8');
      const offset = (p: { line: number; character: number }) =>
        text.split('\n').slice(0, p.line).join('\n').length + (p.line ? 1 : 0) + p.character;
      for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)))
        text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
      fs.writeFileSync(file, text);
    }
  }
  async function recheck(dir: string) {
    const result = await checkPaths([dir]);
    assert.deepEqual(
      result.findings.filter((f) => f.code === 'syntax-error').map((f) => f.message),
      [],
    );
    return result.findings.filter((f) => f.code === 'network-unreachable-after-install');
  }

  test("DHCP by default (nixos-generate-config's mkDefault in the hardware configuration): found, fixed, then clean", async () => {
    const { dir, found } = await check(
      {
        'configuration.nix': CONFIG('  imports = [ ./hardware-configuration.nix ];\n'),
        'hardware-configuration.nix': '{ lib, ... }:\n{\n  networking.useDHCP = lib.mkDefault true;\n}\n',
      },
      rescue(),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /left to DHCP.*only static addresses on eth0 \(NixOS: enp3s0\): 203\.0\.113\.7\/26, 2001:db8:2::7\/64/,
    );
    applyFirstFix(found[0]);
    assert.deepEqual(await recheck(dir), []);
    const text = fs.readFileSync(path.join(dir, 'configuration.nix'), 'utf8');
    assert.match(
      text,
      /networking\.defaultGateway6 = \{ address = "2001:db8:1::1"; interface = "enp3s0"; \};/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a plain networking.useDHCP = true: the finding points at it and the fix turns it off instead of clashing', async () => {
    const { dir, found } = await check(
      { 'configuration.nix': CONFIG('  networking.useDHCP = true;\n') },
      rescue(),
    );
    assert.equal(found.length, 1);
    assert.equal(found[0].range.start.line, 4);
    applyFirstFix(found[0]);
    assert.deepEqual(await recheck(dir), []);
    assert.match(
      fs.readFileSync(path.join(dir, 'configuration.nix'), 'utf8'),
      /networking\.useDHCP = false;/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('other addresses than the target has: found (no fix: nixkit does not guess which is right)', async () => {
    const { found } = await check(
      {
        'configuration.nix': CONFIG(
          '  networking.useDHCP = false;\n  networking.interfaces.enp3s0.ipv4.addresses = [ { address = "203.0.113.8"; prefixLength = 26; } ];\n',
        ),
      },
      rescue({ addresses: [v4('203.0.113.7', 26)] }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /configured with 203\.0\.113\.8\/26, but the target .* has 203\.0\.113\.7\/26/,
    );
  });

  test('a wrong default gateway with the right addresses: found at the gateway', async () => {
    const { found } = await check(
      {
        'configuration.nix': CONFIG(
          '  networking.interfaces.enp3s0.ipv4.addresses = [ { address = "203.0.113.7"; prefixLength = 26; } ];\n  networking.defaultGateway = "203.0.113.62";\n',
        ),
      },
      rescue({ addresses: [v4('203.0.113.7', 26)] }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /defaultGateway is 203\.0\.113\.62, but the target .* routes through 203\.0\.113\.1/,
    );
  });

  test('silence: leased addresses, no probe, networkd, NetworkManager-less unknowns, an unreadable module', async () => {
    const cases: [Record<string, string>, ProbeReport | undefined][] = [
      [
        { 'configuration.nix': CONFIG('') },
        rescue({ addresses: [v4('203.0.113.7', 26, true)], proto: 'dhcp' }),
      ],
      [{ 'configuration.nix': CONFIG('') }, undefined],
      [
        { 'configuration.nix': CONFIG('  systemd.network.networks."10-wan".matchConfig.Name = "enp3s0";\n') },
        rescue(),
      ],
      [{ 'configuration.nix': CONFIG('  networking.useDHCP = someFlag;\n', '{ someFlag, ... }') }, rescue()],
      [
        {
          'configuration.nix': CONFIG(
            '  imports = [ inputs.net.nixosModules.default ];\n',
            '{ inputs, ... }',
          ),
        },
        rescue(),
      ],
    ];
    for (const [files, probe] of cases) {
      const { dir, found } = await check(files, probe);
      assert.deepEqual(
        found.map((f) => f.message),
        [],
        files['configuration.nix'],
      );
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
