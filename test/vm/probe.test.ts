// The probe against the full-tier target, a UEFI qemu VM (test/targets/vm), through the real engine: Session with
// the cached root key and a known_hosts made from the cached host key (verified, never trust-on-first-use), the
// probe asserted field by field against the image's manifest and against the VM's own tools (read over the same
// session, separately from the probe); then as the sudo user with a password (a Prompter that answers) and root
// through sudo; then, after partitioning the target disk the way an install does, the generated
// hardware-configuration.nix in a small flake checks clean with the built CLI. Needs root (the VM image is built as
// root when it is not cached) and the VM boots under TCG: 45 s on an idle machine, minutes on a loaded one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HostKeyChangedError, HostKeyRejectedError } from '../../engine/errors';
import { generateHardwareConfig } from '../../engine/hwconfig/generate';
import type { Disk, ProbeReport } from '../../protocol/probe-report';
import { validateProbeReport } from '../../protocol/probe-report-schema';
import { runProbe, type ProbeRun } from '../../engine/probe/run-probe';
import { FileHostKeyStore, fingerprint } from '../../engine/ssh/known-hosts';
import { Session, type ConnectOptions } from '../../engine/ssh/session';
import { CLI } from '../helpers';
import { FakePrompter } from '../integration/netns-target';
import { startVmTarget, vmResolved, type VmTarget } from './vm-target';

// Generous: every command runs in a TCG guest on a machine that may be running other test tiers.
const T = { timeout: 240_000 };
const EXEC = { timeoutMs: 120_000 };

let vm: VmTarget;
let stop: (() => void) | undefined;
let dir: string;
let root: ProbeRun | undefined;
let sudo: ProbeRun | undefined;
/** What the VM says about itself, read over the same session with plain commands (not the probe). */
const own: Record<string, string> = {};

before(
  async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-probe-'));
    const started = startVmTarget({ sshDeadlineS: 420 });
    stop = started.stop;
    vm = await started.ready;
  },
  { timeout: 900_000 },
);
after(
  () => {
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 90_000 },
);

/** A fresh, empty nixkit store: the only trusted key is the one in the VM's known_hosts. */
function emptyStore(): FileHostKeyStore {
  return new FileHostKeyStore(path.join(dir, `store-${Math.random().toString(36).slice(2)}`));
}

function options(extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return {
    target: vmResolved(vm, 'root', [vm.identity]),
    prompter: new FakePrompter(),
    hostKeyStore: emptyStore(),
    userKnownHostsFiles: [vm.knownHosts],
    agent: false,
    useDefaultIdentities: false,
    readyTimeoutMs: 60_000,
    ...extra,
  };
}

async function sh(s: Session, script: string): Promise<string> {
  const r = await s.exec(['sh', '-c', script], EXEC);
  assert.equal(r.code, 0, `${script}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

function report(): ProbeReport {
  assert.ok(root, 'the root probe ran (see the first test)');
  return root.report;
}

function disk(r: ProbeReport, name: string): Disk {
  const d = r.disks.find((x) => x.name === name);
  assert.ok(d, `disk ${name} in the report (have ${r.disks.map((x) => x.name).join(', ')})`);
  return d;
}

function check(cwd: string): { code: number | null; diagnostics: { code: string; message: string }[] } {
  const r = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json', '--probe', 'probe.json'], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.error, undefined);
  try {
    return { code: r.status, diagnostics: JSON.parse(r.stdout).diagnostics };
  } catch {
    return assert.fail(`nixkit check printed no JSON: ${r.stdout}\n${r.stderr}`);
  }
}

/** A flake around the generated hardware configuration: systemd-boot, a root key, a state version. */
function writeFlake(folder: string, r: ProbeReport, hardware: string): void {
  fs.mkdirSync(path.join(folder, '.git'), { recursive: true });
  fs.writeFileSync(path.join(folder, 'hardware-configuration.nix'), hardware);
  const key = fs.readFileSync(`${vm.identity}.pub`, 'utf8').trim();
  fs.writeFileSync(
    path.join(folder, 'configuration.nix'),
    `{ config, lib, pkgs, ... }:
{
  imports = [ ./hardware-configuration.nix ];
  boot.loader.systemd-boot.enable = true;
  boot.loader.efi.canTouchEfiVariables = true;
  networking.hostName = "nixkit-vm";
  services.openssh.enable = true;
  users.users.root.openssh.authorizedKeys.keys = [ ${JSON.stringify(key)} ];
  system.stateVersion = "24.11";
}
`,
  );
  fs.writeFileSync(
    path.join(folder, 'flake.nix'),
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.vm = nixpkgs.lib.nixosSystem {
      modules = [ ./configuration.nix ];
    };
  };
}
`,
  );
  fs.writeFileSync(path.join(folder, 'probe.json'), JSON.stringify(r, null, 2));
}

describe('probe of the VM as root (cached key, pinned host key)', () => {
  it('connects with the host key verified from known_hosts, then probes in one exec', T, async (t) => {
    t.diagnostic(`VM booted to ssh in ${vm.bootSeconds.toFixed(1)} s`);
    const prompter = new FakePrompter();
    const store = emptyStore();
    const s = await Session.connect(options({ prompter, hostKeyStore: store }));
    try {
      assert.equal(fingerprint(s.hostKey!), vm.fingerprint);
      assert.deepEqual(prompter.asked, [], 'nobody was asked anything (no TOFU, no password)');
      assert.deepEqual(store.entries(), [], 'nothing remembered: the key was already known');
      root = await runProbe(s, { timeoutMs: 120_000 });
      t.diagnostic(
        `handshake ${s.handshakeMs} ms, probe round trip ${root.timings.probeMs} ms, ` +
          `parse ${root.timings.parseMs} ms, ${root.raw.length} bytes`,
      );
      own.uname = (await sh(s, 'uname -r')).trim();
      own.meminfo = await sh(s, 'cat /proc/meminfo');
      own.cpuinfo = await sh(s, "sed '/^$/q' /proc/cpuinfo; grep -c ^processor /proc/cpuinfo");
      own.virt = (await sh(s, 'systemd-detect-virt || true')).trim();
      own.efivars = (await sh(s, 'findmnt -n -o OPTIONS /sys/firmware/efi/efivars')).trim();
      own.netId = await sh(s, 'udevadm test-builtin net_id /sys/class/net/enp0s1 2>/dev/null');
      own.route = await sh(s, 'ip -4 route show default');
      own.resolv = await sh(s, 'cat /etc/resolv.conf');
      own.mac = (await sh(s, 'cat /sys/class/net/enp0s1/address')).trim();
    } finally {
      s.close();
    }
  });

  it('refuses a host key other than the cached one, and asks before trusting an unknown one', T, async () => {
    // The same host and port recorded with another key: changed, refused, nobody asked.
    const other = path.join(dir, 'other_known_hosts');
    const otherKey = fs.readFileSync(`${vm.identity}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    fs.writeFileSync(other, `[${vm.host}]:${vm.port} ${otherKey}\n`);
    const p1 = new FakePrompter({ trust: true });
    await assert.rejects(
      Session.connect(options({ prompter: p1, userKnownHostsFiles: [other] })),
      (e) => e instanceof HostKeyChangedError && e.fingerprint === vm.fingerprint,
    );
    assert.deepEqual(p1.asked, []);
    // Nothing on record and the prompter declines: rejected, after being shown the right fingerprint.
    const p2 = new FakePrompter({ trust: false });
    await assert.rejects(
      Session.connect(options({ prompter: p2, userKnownHostsFiles: [] })),
      HostKeyRejectedError,
    );
    assert.deepEqual(p2.asked, [`hostkey:${vm.fingerprint}`]);
  });

  it('is a valid version 1 report, run as root, missing only Nix', T, () => {
    const r = report();
    assert.equal(r.version, 1);
    const v = validateProbeReport(JSON.parse(JSON.stringify(r)));
    assert.ok(v.ok, v.ok ? '' : v.errors.join('\n'));
    assert.equal(r.user.uid, 0);
    assert.equal(r.target, `root@${vm.host}`);
    assert.deepEqual(r.missing, ['nix']);
  });

  it('system: x86_64 Debian 12 rescue system under qemu, 2 GiB, no Nix', T, () => {
    const s = report().system;
    assert.equal(s.arch, 'x86_64');
    assert.equal(s.nixSystem, 'x86_64-linux');
    assert.equal(s.kernel, vm.manifest.kernel);
    assert.equal(s.kernel, own.uname);
    assert.equal(s.hostname, vm.manifest.hostname);
    assert.deepEqual(s.os, {
      id: 'debian',
      name: 'Debian GNU/Linux',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      versionId: '12',
      variantId: null,
    });
    assert.equal(s.nixos, false);
    assert.equal(s.nixosInstaller, false);
    assert.deepEqual(s.nix, { present: false, version: null });
    const memTotal = Number(/^MemTotal:\s+(\d+) kB$/m.exec(own.meminfo)![1]) * 1024;
    assert.equal(s.memory.totalBytes, memTotal);
    // -m 2048: what the kernel has left after its own reservations
    assert.ok(memTotal > 1.75 * 2 ** 30 && memTotal <= 2 * 2 ** 30, `${memTotal}`);
    assert.equal(s.memory.kexecFits, true);
    assert.ok(s.memory.availableBytes! > 0 && s.memory.availableBytes! <= memTotal);
    // TCG here ("qemu"); "kvm" where qemu can use KVM
    assert.ok(['qemu', 'kvm'].includes(s.virtualisation.type), s.virtualisation.type);
    assert.deepEqual(s.virtualisation, { type: own.virt, source: 'systemd-detect-virt' });
    assert.match(s.kernelCmdline ?? '', new RegExp(`root=UUID=${vm.manifest.root_uuid}\\b`));
  });

  it('firmware: UEFI (OVMF), 64-bit, efivars mounted writable, Secure Boot in setup mode', T, () => {
    const r = report();
    assert.match(own.efivars, /^rw\b/);
    // OVMF_VARS_4M.fd has no keys enrolled: SetupMode=1, SecureBoot=0
    assert.deepEqual(r.firmware, {
      mode: 'uefi',
      platformBits: 64,
      efivarsMounted: true,
      efivarsWritable: true,
      secureBoot: 'setup-mode',
    });
    assert.ok(!r.warnings.some((w) => /efivars|BIOS/.test(w)), r.warnings.join('\n'));
  });

  it('CPU: what /proc/cpuinfo says (2 vCPUs, hypervisor flag)', T, () => {
    const c = report().cpu;
    const field = (n: string) => new RegExp(`^${n}\\s*:\\s*(.*)$`, 'm').exec(own.cpuinfo)?.[1].trim() ?? null;
    const flags = new Set(field('flags')!.split(/\s+/));
    assert.equal(c.cores, 2);
    assert.equal(c.cores, Number(own.cpuinfo.trim().split('\n').pop()));
    assert.equal(c.vendor, field('vendor_id'));
    assert.equal(c.model, field('model name'));
    assert.equal(c.hypervisorFlag, true);
    assert.equal(c.microcode, { GenuineIntel: 'intel', AuthenticAMD: 'amd' }[c.vendor!] ?? null);
    assert.equal(c.kvmModule, flags.has('vmx') ? 'kvm-intel' : flags.has('svm') ? 'kvm-amd' : null);
  });

  it('disks: vda is the live system, vdb the blank 4 GiB target, both virtio with by-id names', T, () => {
    const r = report();
    assert.deepEqual(
      r.disks.map((d) => d.name),
      ['vda', 'vdb'],
    );
    const vda = disk(r, 'vda');
    assert.equal(vda.path, '/dev/vda');
    assert.equal(vda.sizeBytes, fs.statSync(path.join(vm.image, 'root.img')).size);
    assert.equal(vda.serial, 'nixkit-live');
    assert.deepEqual(vda.byId, ['virtio-nixkit-live']);
    assert.equal(vda.transport, 'virtio');
    assert.equal(vda.module, 'virtio_blk');
    assert.equal(vda.liveSystem, true);
    assert.equal(vda.partitionTable, null);
    assert.deepEqual(vda.partitions, []);
    assert.deepEqual(vda.fs, {
      type: 'ext4',
      uuid: vm.manifest.root_uuid,
      label: 'nixkit-live',
      version: '1.0',
    });
    assert.deepEqual(vda.mountpoints, ['/']);

    const vdb = disk(r, 'vdb');
    assert.equal(vdb.path, '/dev/vdb');
    assert.equal(vdb.sizeBytes, 4 * 2 ** 30);
    assert.equal(vdb.serial, 'nixkit-target');
    assert.deepEqual(vdb.byId, ['virtio-nixkit-target']);
    assert.equal(`/dev/disk/by-id/${vdb.byId[0]}`, vm.targetDisk);
    assert.equal(vdb.transport, 'virtio');
    assert.equal(vdb.module, 'virtio_blk');
    assert.equal(vdb.model, null); // virtio-blk has no model string
    assert.equal(vdb.liveSystem, false);
    assert.equal(vdb.removable, false);
    assert.equal(vdb.readOnly, false);
    assert.equal(vdb.partitionTable, null);
    assert.deepEqual(vdb.partitions, [], 'blank: no partitions');
    assert.equal(vdb.fs, null);
    assert.deepEqual(vdb.mountpoints, []);
    assert.notEqual(vda.majorMinor, vdb.majorMinor);
    assert.deepEqual(r.swaps, []);
  });

  it('controllers: virtio_pci for the NIC and both disks, q35 AHCI, virtio_blk for the disks', T, () => {
    assert.deepEqual(
      report().controllers.map((c) => [
        c.kind,
        c.address,
        c.pciClass,
        c.vendorId,
        c.deviceId,
        c.driver,
        c.module,
      ]),
      [
        ['network', '0000:00:01.0', '0x020000', '0x1af4', '0x1000', 'virtio-pci', 'virtio_pci'],
        ['storage', '0000:00:02.0', '0x010000', '0x1af4', '0x1001', 'virtio-pci', 'virtio_pci'],
        ['storage', '0000:00:03.0', '0x010000', '0x1af4', '0x1001', 'virtio-pci', 'virtio_pci'],
        ['storage', '0000:00:1f.2', '0x010601', '0x8086', '0x2922', 'ahci', 'ahci'],
        ['block', 'vda', null, null, null, 'virtio_blk', 'virtio_blk'],
        ['block', 'vdb', null, null, null, 'virtio_blk', 'virtio_blk'],
      ],
    );
  });

  it(
    'network: enp0s1 with its predicted name, MAC, DHCP address, routes and DNS as the VM has them',
    T,
    () => {
      const n = report().network;
      assert.equal(n.interfaces.length, 1, n.interfaces.map((i) => i.name).join());
      const [nic] = n.interfaces;
      assert.equal(nic.name, 'enp0s1');
      const pathName = /^ID_NET_NAME_PATH=(\S+)$/m.exec(own.netId)?.[1];
      assert.equal(pathName, 'enp0s1', own.netId);
      assert.deepEqual(nic.predicted, { name: pathName, source: 'udevadm', reason: 'ID_NET_NAME_PATH' });
      assert.equal(nic.mac, '52:54:00:12:34:56');
      assert.equal(nic.mac, own.mac);
      assert.equal(nic.driver, 'virtio_net');
      assert.equal(nic.state, 'up');
      assert.equal(nic.virtual, false);
      // The lease from slirp's DHCP server is marked dynamic (ip's flag), as a static address would not be.
      assert.deepEqual(nic.addresses, [
        { family: 'inet', address: '10.0.2.15', prefixLength: 24, scope: 'global', dynamic: true },
      ]);
      // restrict=on: slirp's DHCP offers no router (nor DNS), so the VM has no default route until one is added
      // (the sudo test below adds one and sees it). The probe reports what `ip route` says.
      assert.equal(own.route.trim(), '');
      assert.deepEqual(n.defaultRoutes, []);
      const ns = [...own.resolv.matchAll(/^nameserver\s+(\S+)/gm)].map((m) => m[1]);
      assert.ok(ns.length > 0, own.resolv);
      assert.deepEqual(n.dns, ns);
    },
  );
});

describe('probe of the VM as the sudo user (password through the Prompter)', () => {
  it('logs in with the password, gets root through sudo, same facts', T, async (t) => {
    // Give the VM a default route first (see above), so this probe shows the route parsing on a real system.
    const r0 = await Session.connect(options());
    try {
      await sh(r0, 'ip route replace default via 10.0.2.2 dev enp0s1');
    } finally {
      r0.close();
    }
    const prompter = new FakePrompter({ password: vm.password });
    const s = await Session.connect(
      options({ target: vmResolved(vm, vm.user, []), prompter, hostKeyStore: emptyStore() }),
    );
    try {
      assert.equal((await s.exec(['id', '-un'], EXEC)).stdout.toString().trim(), vm.user);
      sudo = await runProbe(s, { timeoutMs: 120_000 });
      assert.equal(await s.ensureRoot(), 'sudo-password');
      t.diagnostic(
        `handshake ${s.handshakeMs} ms, sudo check ${sudo.timings.rootMs} ms, probe ${sudo.timings.probeMs} ms`,
      );
    } finally {
      s.close();
    }
    // asked for the login password, then (sudo -k) for the sudo password; never about the host key
    assert.deepEqual(prompter.asked, [
      `password:Password for ${vm.user}@${vm.host}`,
      `password:sudo password for ${vm.user}@${vm.host}`,
    ]);
    const r = sudo.report;
    assert.equal(r.user.uid, 0);
    assert.equal(r.target, `${vm.user}@${vm.host}`);
    assert.ok(!sudo.raw.includes(Buffer.from(vm.password)), 'the password is not in the probe output');
    assert.deepEqual(r.disks, report().disks);
    assert.deepEqual(r.controllers, report().controllers);
    assert.deepEqual(r.firmware, report().firmware);
    assert.deepEqual(r.cpu, report().cpu);
    assert.deepEqual(r.network.interfaces, report().network.interfaces);
    // Who made the route (dhcp, boot) depends on the image's network setup: compared where it goes.
    assert.deepEqual(
      r.network.defaultRoutes.map(({ family, gateway, dev }) => ({ family, gateway, dev })),
      [{ family: 'inet', gateway: '10.0.2.2', dev: 'enp0s1' }],
    );
    assert.deepEqual(r.missing, ['nix']);
  });
});

describe('hardware-configuration.nix from the VM', () => {
  it('from the blank-disk probe: nothing is mounted under /mnt yet, and check says so', T, () => {
    const folder = path.join(dir, 'blank');
    const hardware = generateHardwareConfig(report(), { root: '/mnt' });
    assert.ok(!hardware.includes('fileSystems.'), hardware);
    writeFlake(folder, report(), hardware);
    const r = check(folder);
    // (esp-missing waits until there is a root filesystem to judge the rest by)
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['root-filesystem-missing'],
      JSON.stringify(r.diagnostics),
    );
    assert.equal(r.code, 1);
  });

  it('after partitioning the target disk and mounting it on /mnt: checks clean', T, async (t) => {
    const s = await Session.connect(options());
    let run: ProbeRun;
    try {
      // as an install does it: GPT with an ESP and a root partition, by the by-id name, mounted under /mnt
      await sh(
        s,
        `set -e
d=${vm.targetDisk}
printf 'label: gpt\\nsize=256MiB, type=uefi, name=ESP\\ntype=linux, name=nixos\\n' | sfdisk -q "$d"
udevadm settle
mkfs.vfat -F 32 -n BOOT "$d-part1" >/dev/null
mkfs.ext4 -q -F -L nixos "$d-part2"
mount "$d-part2" /mnt
mkdir -p /mnt/boot
mount -o fmask=0077,dmask=0077 "$d-part1" /mnt/boot`,
      );
      run = await runProbe(s, { timeoutMs: 120_000 });
      t.diagnostic(`probe with the partitioned target: ${run.timings.probeMs} ms`);
    } finally {
      s.close();
    }
    const r = run.report;
    const vdb = disk(r, 'vdb');
    assert.equal(vdb.partitionTable?.type, 'gpt');
    assert.deepEqual(
      vdb.partitions.map((p) => [
        p.number,
        p.path,
        p.partlabel,
        p.type,
        p.fs?.type,
        p.fs?.label,
        p.mountpoints,
      ]),
      [
        [1, '/dev/vdb1', 'ESP', 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', 'vfat', 'BOOT', ['/mnt/boot']],
        [2, '/dev/vdb2', 'nixos', '0FC63DAF-8483-4772-8E79-3D69D8477DE4', 'ext4', 'nixos', ['/mnt']],
      ],
    );
    assert.equal(vdb.partitions[0].sizeBytes, 256 * 2 ** 20);
    assert.equal(vdb.liveSystem, false);
    assert.equal(disk(r, 'vda').liveSystem, true);

    const hardware = generateHardwareConfig(r, { root: '/mnt', interfaces: true });
    const [esp, rootFs] = vdb.partitions;
    assert.match(rootFs.fs?.uuid ?? '', /^[0-9a-f-]{36}$/);
    for (const piece of [
      '(modulesPath + "/profiles/qemu-guest.nix")',
      'boot.initrd.availableKernelModules = [ "ahci" "virtio_blk" "virtio_pci" ];',
      `fileSystems."/" =\n    { device = "/dev/disk/by-uuid/${rootFs.fs!.uuid}";\n      fsType = "ext4";`,
      `fileSystems."/boot" =\n    { device = "/dev/disk/by-uuid/${esp.fs!.uuid}";\n      fsType = "vfat";\n      options = [ "fmask=0077" "dmask=0077" ];`,
      'networking.interfaces.enp0s1.useDHCP = lib.mkDefault true;',
      'nixpkgs.hostPlatform = lib.mkDefault "x86_64-linux";',
    ])
      assert.ok(hardware.includes(piece), `${piece}\nnot in\n${hardware}`);
    const folder = path.join(dir, 'partitioned');
    writeFlake(folder, r, hardware);
    const c = check(folder);
    assert.deepEqual(c.diagnostics, []);
    assert.equal(c.code, 0);
  });
});
