// The probe against the namespace target, asserted field by field; hostile labels; the CLI; hwconfig that parses.
// The assertions take a TestTarget, so the VM tier can run the same checks with its own host, port and key.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateHardwareConfig } from '../../engine/hwconfig/generate';
import type { Disk, ProbeReport } from '../../protocol/probe-report';
import { validateProbeReport } from '../../protocol/probe-report-schema';
import { runProbe } from '../../engine/probe/run-probe';
import { hwconfigCommand } from '../../cli/hwconfig-command';
import { probeCommand } from '../../cli/probe-command';
import { connectTarget, startNetnsTarget, type TestTarget } from './netns-target';

const T = { timeout: 60_000 };
let t: TestTarget;
let stop: () => void;
let dir: string;
let report: ProbeReport;

before(
  async () => {
    ({ target: t, stop } = startNetnsTarget());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-probe-test-'));
    const s = await connectTarget(t, dir);
    try {
      report = (await runProbe(s, { timeoutMs: 30_000 })).report;
    } finally {
      s.close();
    }
  },
  { timeout: 120_000 },
);
after(
  () => {
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

function disk(path: string): Disk {
  const d = report.disks.find((x) => x.path === path);
  assert.ok(d, `disk ${path} in the report (have ${report.disks.map((x) => x.path).join(', ')})`);
  return d;
}

function hostSide<T>(fn: () => T): T {
  return fn();
}

describe('probe of the namespace target', () => {
  it('is a valid version 1 report', T, () => {
    assert.equal(report.version, 1);
    const v = validateProbeReport(JSON.parse(JSON.stringify(report)));
    assert.ok(v.ok, v.ok ? '' : v.errors.join('\n'));
    assert.equal(report.user.uid, 0);
  });

  it('system facts match the machine', T, () => {
    assert.equal(report.system.arch, os.machine());
    assert.equal(report.system.nixSystem, `${os.machine()}-linux`);
    assert.equal(report.system.kernel, os.release());
    assert.equal(report.system.os?.id, 'debian');
    assert.equal(report.system.nixos, false);
    assert.equal(report.system.nixosInstaller, false);
    assert.equal(report.system.nix.present, fs.existsSync('/usr/bin/nix'));
    const memKiB = Number(/MemTotal:\s+(\d+)/.exec(fs.readFileSync('/proc/meminfo', 'utf8'))![1]);
    assert.equal(report.system.memory.totalBytes, memKiB * 1024);
    assert.equal(report.system.memory.kexecFits, memKiB * 1024 >= 1536 * 1024 * 1024);
    const virt = hostSide(() => {
      try {
        return execFileSync('systemd-detect-virt', { encoding: 'utf8' }).trim();
      } catch (e) {
        return String((e as { stdout?: string }).stdout ?? '').trim();
      }
    });
    assert.equal(report.system.virtualisation.type, virt);
  });

  it('firmware and CPU', T, () => {
    assert.equal(report.firmware.mode, fs.existsSync('/sys/firmware/efi') ? 'uefi' : 'bios');
    assert.equal(report.cpu.cores, os.cpus().length);
    const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const vendor = /^vendor_id\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? null;
    assert.equal(report.cpu.vendor, vendor);
    assert.equal(
      report.cpu.microcode,
      vendor === 'GenuineIntel' ? 'intel' : vendor === 'AuthenticAMD' ? 'amd' : null,
    );
  });

  it('disk A: GPT with ESP, root and swap (offset loop devices folded in as its partitions)', T, () => {
    const a = disk(t.disks.a);
    assert.equal(a.sizeBytes, 400 * 1024 * 1024);
    assert.equal(a.partitionTable?.type, 'gpt');
    assert.match(a.partitionTable?.uuid ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(a.liveSystem, false);
    assert.deepEqual(
      a.partitions.map((p) => [p.number, p.path, p.partlabel, p.fs?.type, p.fs?.label]),
      [
        [1, t.disks.aEsp, 'ESP', 'vfat', 'BOOT'],
        [2, t.disks.aRoot, 'nixos', 'ext4', 'nixos'],
        [3, t.disks.aSwap, 'swap', 'swap', 'swap'],
      ],
    );
    const [esp, root] = a.partitions;
    assert.equal(esp.type, 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
    assert.equal(esp.sizeBytes, 64 * 1024 * 1024);
    assert.match(esp.partuuid ?? '', /^[0-9a-f-]{36}$/);
    const blkid = (dev: string, tag: string) =>
      execFileSync('blkid', ['-p', '-s', tag, '-o', 'value', dev], { encoding: 'utf8' }).trim();
    assert.equal(root.fs?.uuid, blkid(t.disks.aRoot, 'UUID'));
    assert.equal(esp.fs?.uuid, blkid(t.disks.aEsp, 'UUID'));
    assert.deepEqual(root.mountpoints, [t.installRoot]);
    assert.deepEqual(esp.mountpoints, [`${t.installRoot}/boot`]);
  });

  it('hostile partition name and filesystem label come through exactly, and nothing ran', T, () => {
    const b = disk(t.disks.b);
    assert.equal(b.partitions.length, 1);
    assert.equal(b.partitions[0].partlabel, t.hostilePartName);
    assert.equal(b.partitions[0].fs?.type, 'btrfs');
    assert.equal(b.partitions[0].fs?.label, t.hostileLabel);
    assert.ok(!fs.existsSync(t.marker), `${t.marker} must never be created`);
  });

  it('the disk the live system runs from is marked', T, () => {
    const rootMount = report.mounts.find((m) => m.mountPoint === '/');
    assert.ok(rootMount);
    const live = report.disks.filter((d) => d.liveSystem).map((d) => d.path);
    if (rootMount.source.startsWith('/dev/'))
      assert.ok(live.includes(rootMount.source), `${live} has ${rootMount.source}`);
  });

  it('network: the target veth with its address, default route and DNS', T, () => {
    const nic = report.network.interfaces.find((n) => n.addresses.some((a) => a.address === t.host));
    assert.ok(nic, 'interface with the target address');
    assert.equal(nic.state, 'up');
    assert.match(nic.mac ?? '', /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    assert.equal(nic.virtual, true);
    assert.equal(nic.predicted.name, null); // a veth gets no predictable name
    assert.deepEqual(
      report.network.defaultRoutes.filter((r) => r.family === 'inet'),
      // start.sh adds the route by hand: `ip route` names no protocol that made it (it would say dhcp or ra).
      [{ family: 'inet', gateway: t.host.replace(/\.2$/, '.1'), dev: nic.name, proto: null }],
    );
    const resolv = fs.readFileSync('/etc/resolv.conf', 'utf8');
    assert.deepEqual(
      report.network.dns,
      [...resolv.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]),
    );
  });

  it('the generated hardware configuration has the install root and parses with nix-instantiate', T, () => {
    const text = generateHardwareConfig(report, { root: t.installRoot, interfaces: true });
    const a = disk(t.disks.a);
    assert.ok(
      text.includes(
        `fileSystems."/" =\n    { device = "/dev/disk/by-uuid/${a.partitions[1].fs!.uuid}";\n      fsType = "ext4";`,
      ),
    );
    assert.ok(
      text.includes(
        `fileSystems."/boot" =\n    { device = "/dev/disk/by-uuid/${a.partitions[0].fs!.uuid}";\n      fsType = "vfat";\n      options = [ "fmask=0077" "dmask=0077" ];`,
      ),
    );
    assert.ok(!text.includes('sandboxing') && !text.includes('/proc'));
    const file = path.join(dir, 'hardware-configuration.nix');
    fs.writeFileSync(file, text);
    execFileSync('nix-instantiate', ['--store', 'dummy://', '--parse', file], {
      env: { ...process.env, NIX_CONFIG: 'build-users-group =' },
      stdio: 'pipe',
    });
  });
});

describe('CLI', () => {
  it('nixkit probe --json, then nixkit hwconfig from the saved file', T, async () => {
    let out = '';
    let err = '';
    const io = {
      stdout: (s: string) => (out += s),
      stderr: (s: string) => (err += s),
      cwd: dir,
      env: { HOME: dir },
      signal: new AbortController().signal,
    };
    const rc = await probeCommand(
      [
        `root@${t.host}`,
        '-i',
        t.identity,
        '--known-hosts',
        path.join(dir, 'cli_known_hosts'),
        '--accept-new-host-key',
        '--json',
      ],
      io,
    );
    assert.equal(rc, 0, err);
    const saved = JSON.parse(out) as ProbeReport;
    assert.equal(saved.version, 1);
    assert.equal(saved.disks.find((d) => d.path === t.disks.b)?.partitions[0].fs?.label, t.hostileLabel);
    fs.writeFileSync(path.join(dir, 'probe.json'), out);
    out = '';
    assert.equal(
      await hwconfigCommand(['probe.json', '--root', t.installRoot, '--out', 'hw.nix'], io),
      0,
      err,
    );
    assert.match(fs.readFileSync(path.join(dir, 'hw.nix'), 'utf8'), /fileSystems\."\/boot"/);
  });

  it('nixkit probe without a terminal refuses an unknown host key with a clear message', T, async () => {
    let err = '';
    const io = {
      stdout: () => undefined,
      stderr: (s: string) => (err += s),
      cwd: dir,
      env: { HOME: dir },
      signal: new AbortController().signal,
    };
    const rc = await probeCommand(
      [`root@${t.host}`, '-i', t.identity, '--known-hosts', path.join(dir, 'fresh_known_hosts')],
      io,
    );
    assert.equal(rc, 1);
    assert.match(err, /--accept-new-host-key/);
    assert.ok(err.includes(t.fingerprint));
  });
});
