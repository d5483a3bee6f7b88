// `nixkit rescue` against the namespace target: an installed root on a loop disk (two generations of the test
// closure installed by the install engine's steps, systemd-boot-like entries on a vfat ESP), with a text log in
// which the second generation's stage 2 left why the network never came up. The real CLI (dist/cli.js):
// - diagnosis, read-only: finds the system through the configuration's fileSystems by UUID, shows the planted
//   reason, the generations, which entry is the default and which one the logged command line booted, that the
//   configured interface did not exist; the disk image is byte for byte unchanged and nothing stays mounted;
// - rollback: generation 1 becomes loader.conf's default (the ESP remounted writable only for it);
// - run: one command inside the installed system (through the install's nixos-enter-like route);
// - a connection dropped while the rescue has the system mounted: its holder unmounts everything by itself.
// Needs root (namespaces, loop devices, mounts); the target's kernel has no vfat, so the ESP goes through fusefat.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NodeLocalRunner } from '../../engine/install/local-runner';
import type { Step } from '../../engine/install/plan';
import { StateStore, newInstallState } from '../../engine/install/state-store';
import { buildStep, type BuildOutputs } from '../../engine/install/steps/build';
import { copyStep } from '../../engine/install/steps/copy';
import { installStep } from '../../engine/install/steps/install';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import { RescueSession } from '../../engine/rescue/rescue-session';
import type { InstallOptions } from '../../protocol/install-state';
import { CLI } from '../helpers';
import {
  closureOptions,
  diskUp,
  inTarget,
  mountDisk,
  testNix,
  type TestDisk,
  type TestNix,
} from '../targets/closure/test-closure';
import { runInstall, stopTargetWithDisk } from './install-run';
import {
  attachTestDisk,
  connectTarget,
  killSshSessions,
  startNetnsTarget,
  type TestTarget,
} from './netns-target';

const T = { timeout: 240_000 };
const STEPS: Step[] = [buildStep, copyStep, installStep];

let t: TestTarget;
let stop: (() => void) | undefined;
let dir: string;
let nix: TestNix;
let disk: TestDisk;
let flake: string;
let knownHosts: string;
let stateHome: string;
const toplevels: string[] = [];
const REASON = `NIXKIT-PLANTED-REASON-${crypto.randomBytes(4).toString('hex')}`;

function blkidUuid(dev: string): string {
  return execFileSync('blkid', ['-c', '/dev/null', '-s', 'UUID', '-o', 'value', dev], {
    encoding: 'utf8',
  }).trim();
}

function writeRescueFlake(root: string, rootUuid: string, espUuid: string): string {
  fs.mkdirSync(path.join(root, 'hosts', 'box'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'flake.nix'),
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem {
      system = "x86_64-linux";
      modules = [ ./hosts/box/configuration.nix ];
    };
  };
}
`,
  );
  fs.writeFileSync(
    path.join(root, 'hosts', 'box', 'configuration.nix'),
    `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  networking.hostName = "box";
  networking.interfaces.enp3s0.useDHCP = true;
  fileSystems."/" = { device = "/dev/disk/by-uuid/${rootUuid}"; fsType = "ext4"; };
  fileSystems."/boot" = { device = "/dev/disk/by-uuid/${espUuid}"; fsType = "vfat"; };
  system.stateVersion = "24.11";
}
`,
  );
  return root;
}

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(
    process.execPath,
    [
      CLI,
      'rescue',
      `root@${t.host}`,
      '--port',
      String(t.port),
      '--identity',
      t.identity,
      '--known-hosts',
      knownHosts,
      '--flake',
      `${flake}#box`,
      ...args,
    ],
    {
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, XDG_STATE_HOME: stateHome, SSH_AUTH_SOCK: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Mounts the disk in the target, runs `f`, unmounts (the rescue must find it unmounted). */
function withDiskMounted<R>(f: () => R): R {
  mountDisk(t.stateDir, disk);
  try {
    return f();
  } finally {
    inTarget(t.stateDir, ['umount', '-R', disk.root]);
  }
}

/**
 * What of the rescue is still there, wherever it was mounted (its holder's private namespace included): the root's
 * ext4 is registered under /sys/fs/ext4 while mounted anywhere, a FUSE ESP has its fusefat process, and mounts in
 * the target's namespace or on the host are listed.
 */
function leftovers(): string[] {
  const ours = [disk.rootPart, disk.esp];
  const inTgt = inTarget(t.stateDir, ['cat', '/proc/self/mounts']).split('\n');
  const onHost = fs.readFileSync('/proc/self/mounts', 'utf8').split('\n');
  const out = [...inTgt, ...onHost].filter(
    (l) =>
      ours.some((d) => l.startsWith(d + ' ') || l.includes(`fsname=${d}`)) || l.includes('nixkit-rescue.'),
  );
  if (fs.existsSync(`/sys/fs/ext4/${path.basename(disk.rootPart)}`))
    out.push(`ext4 ${disk.rootPart} is mounted`);
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const l of ps.split('\n'))
    if (l.includes('fusefat') && l.includes(`fsname=${disk.esp}`)) out.push(l.trim());
  return out;
}

before(
  async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-rescue-'));
    ({ target: t, stop } = startNetnsTarget());
    nix = testNix(dir);
    stateHome = path.join(dir, 'state-home');
    knownHosts = path.join(dir, 'known_hosts');
    const pub = fs.readFileSync(
      path.join(t.stateDir, 'hostkeys', 'primary', 'ssh_host_ed25519_key.pub'),
      'utf8',
    );
    new FileHostKeyStore(knownHosts).add(t.host, t.port, Buffer.from(pub.split(' ')[1], 'base64'));
    disk = diskUp(t.stateDir, dir);
    // Two generations, the second one the default (as the install leaves it).
    const store = new StateStore(path.join(dir, 'installs'));
    for (const tag of ['', '-gen2']) {
      const co = closureOptions(nix);
      co.buildExpr!.argstr = { ...co.buildExpr!.argstr, tag };
      const options: InstallOptions = {
        flake: '/nonexistent-flake',
        configuration: 'box',
        target: `root@${t.host}`,
        buildOn: 'local',
        root: disk.root,
        reboot: false,
        installRoute: 'manual',
        copyRoute: 'tar',
        bootloader: { kind: 'systemd-boot' },
        ...co,
      };
      const state = newInstallState(
        options,
        STEPS.map((s) => s.id),
      );
      const failed = await runInstall(state, {
        steps: STEPS,
        store,
        connect: () => connectTarget(t, dir),
        local: new NodeLocalRunner(),
      });
      assert.equal(failed, undefined, failed?.message);
      toplevels.push((state.steps.find((s) => s.id === 'build')!.outputs as BuildOutputs).toplevel);
    }
    // What the second generation's stage 2 left: the command line it booted with and why the network stayed down.
    inTarget(t.stateDir, [
      'sh',
      '-c',
      'mkdir -p "$1/var/log" && printf "%s\\n" "$2" "stage 2: starting network" "stage 2: error: interface enp3s0 does not exist ($3); the network was not brought up" > "$1/var/log/stage-2.log"',
      'plant',
      disk.root,
      `[    0.000000] Command line: init=${toplevels[1]}/init loglevel=4`,
      REASON,
    ]);
    inTarget(t.stateDir, ['umount', '-R', disk.root]);
    flake = writeRescueFlake(path.join(dir, 'flake'), blkidUuid(disk.rootPart), blkidUuid(disk.esp));
  },
  { timeout: 600_000 },
);
after(() => stopTargetWithDisk(t, stop, dir), { timeout: 60_000 });

describe('nixkit rescue on the namespace target', () => {
  it(
    'diagnoses read-only: the planted reason, the generations, the default and booted entry, the missing NIC',
    T,
    () => {
      const before = sha256(disk.image);
      const r = cli([]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /found through the configuration's fileSystems\."\/"/);
      assert.ok(r.stdout.includes(REASON), `the planted reason is shown:\n${r.stdout}`);
      assert.match(r.stdout, /^\s+1\s.*nixos-system-nixkit-test-24\.05\s*(\[|$)/m);
      assert.match(
        r.stdout,
        /^\s+2\s.*nixos-system-nixkit-test-24\.05-gen2\s+\[current profile, DEFAULT BOOT ENTRY, booted last\]/m,
      );
      assert.match(r.stdout, /\* nixos-generation-2\.conf/);
      assert.match(r.stdout, /The last boot started: nixos-generation-2\.conf/);
      assert.match(r.stdout, /enp3s0: DID NOT EXIST/);
      assert.match(r.stdout, /no journal files/);
      assert.deepEqual(leftovers(), [], 'nothing stays mounted');
      assert.equal(sha256(disk.image), before, 'the disk is unchanged: the diagnosis only read');
      const transcripts = fs.readdirSync(path.join(stateHome, 'nixkit', 'rescues'));
      assert.equal(transcripts.length, 1);
      const text = fs.readFileSync(path.join(stateHome, 'nixkit', 'rescues', transcripts[0]), 'utf8');
      assert.ok(text.includes(REASON) && text.includes('unmounted everything'), text.slice(-2000));
    },
  );

  it('refuses an action without a terminal or --yes, changing nothing', T, () => {
    const before = sha256(disk.image);
    const r = cli(['--rollback', '1']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /pass --yes/);
    assert.equal(sha256(disk.image), before);
    assert.deepEqual(leftovers(), []);
  });

  it('rolls back: generation 1 becomes the default boot entry', T, () => {
    const r = cli(['--rollback', '1', '--yes']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /default nixos-generation-2\.conf → nixos-generation-1\.conf \(generation 1\)/);
    assert.match(r.stdout, /make \/boot .* writable/);
    assert.deepEqual(leftovers(), []);
    const conf = withDiskMounted(() => inTarget(t.stateDir, ['cat', `${disk.root}/boot/loader/loader.conf`]));
    assert.equal(conf.trim(), 'default nixos-generation-1.conf');
    // And the next diagnosis says so.
    const again = cli([]);
    assert.match(again.stdout, /^\s+1\s.*\[current profile, DEFAULT BOOT ENTRY\]/m);
    assert.match(again.stdout, /^\s+2\s.*\[booted last\]/m);
    assert.match(again.stdout, /\* nixos-generation-1\.conf/);
    // Rolling back to the default again is refused with the reason.
    const twice = cli(['--rollback', '1', '--yes']);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /already the default boot entry/);
  });

  it('runs one command inside the installed system', T, () => {
    const r = cli([
      '--run',
      'echo "inside $(cat /nix/var/nix/profiles/system/nixos-version)" > /etc/nixkit-rescue-ran; test -e /etc/NIXOS',
      '--yes',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(leftovers(), []);
    const ran = withDiskMounted(() => inTarget(t.stateDir, ['cat', `${disk.root}/etc/nixkit-rescue-ran`]));
    assert.equal(ran.trim(), 'inside 24.05');
    const bad = cli(['--run', 'exit 7', '--yes']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /exit 7/);
    assert.deepEqual(leftovers(), []);
  });

  it('hands the install over to its resume from the chosen step, after unmounting', T, () => {
    const store = new StateStore(path.join(dir, 'installs'));
    const newest = store.list().sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)))[0];
    const r = cli(['--resume-from', 'install', '--state-dir', path.join(dir, 'installs')]);
    // The saved install names a flake that does not exist (the test built its closure directly), so its resumed
    // preflight stops at the analysis: what matters here is the hand-over.
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const unmounted = r.stdout.indexOf('==> Unmounting');
    const resumed = r.stdout.indexOf(`==> Resuming install ${newest.id} from "install"`);
    assert.ok(unmounted >= 0 && resumed > unmounted, r.stdout);
    assert.ok(r.stdout.indexOf('Install plan for /nonexistent-flake#box') > resumed, r.stdout);
    assert.match(r.stderr, /Preflight.*failed: \/nonexistent-flake holds no flake\.nix/);
    assert.doesNotMatch(
      r.stderr,
      /unknown filesystem type/,
      'a vfat mount through FUSE is not reported as a failure',
    );
    const after = store.load(newest.id);
    const status = Object.fromEntries(after.steps.map((s) => [s.id, s.status]));
    assert.equal(status.build, 'done');
    assert.equal(status.copy, 'done');
    assert.equal(status.install, 'pending', 'the chosen step runs again');
    assert.deepEqual(leftovers(), []);
  });

  it(
    "reads a real journal: the boots, the last boot's failed units, command line and the missing NIC",
    T,
    () => {
      const journalRemote = '/lib/systemd/systemd-journal-remote';
      assert.ok(fs.existsSync(journalRemote), 'scripts/setup-system.sh test installs systemd-journal-remote');
      // Two boots in journal export format; the last one started generation 2, renamed its NIC and never saw enp3s0.
      const machine = '6b1e1b2f0d3a4c5e9d8b0c1a2b3c4d5e';
      const [boot1, boot2] = ['8f1c1c8b2f0d4c5e9d8b0c1a2b3c4d5e', '1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a'];
      let realtime = (Date.now() - 3_600_000) * 1000;
      const entry = (boot: string, mono: number, message: string, priority: number, ident: string) =>
        [
          `__REALTIME_TIMESTAMP=${(realtime += 1000)}`,
          `__MONOTONIC_TIMESTAMP=${mono}`,
          `_BOOT_ID=${boot}`,
          `_MACHINE_ID=${machine}`,
          '_HOSTNAME=box',
          `PRIORITY=${priority}`,
          `SYSLOG_IDENTIFIER=${ident}`,
          `MESSAGE=${message}`,
        ].join('\n') + '\n\n';
      const exported = [
        entry(boot1, 1000, `Command line: init=${toplevels[0]}/init loglevel=4`, 6, 'kernel'),
        entry(boot1, 2_000_000, 'enp3s0: Link UP', 6, 'systemd-networkd'),
        entry(boot2, 1000, `Command line: init=${toplevels[1]}/init loglevel=4`, 6, 'kernel'),
        entry(boot2, 2_100_000, 'virtio_net virtio0 ens3: renamed from eth0', 6, 'kernel'),
        entry(
          boot2,
          93_000_000,
          'sys-subsystem-net-devices-enp3s0.device: Job sys-subsystem-net-devices-enp3s0.device/start timed out.',
          3,
          'systemd',
        ),
        entry(boot2, 95_000_000, `network-setup.service: Failed with result 'exit-code'.`, 4, 'systemd'),
        entry(boot2, 95_000_100, REASON, 3, 'network-setup-start'),
      ].join('');
      const exportFile = path.join(dir, 'journal.export');
      fs.writeFileSync(exportFile, exported);
      const journalDir = path.join(dir, 'journal-out');
      fs.mkdirSync(journalDir, { recursive: true });
      execFileSync(journalRemote, ['-o', path.join(journalDir, 'system.journal'), exportFile], {
        stdio: 'ignore',
      });
      withDiskMounted(() =>
        inTarget(t.stateDir, [
          'sh',
          '-c',
          'mkdir -p "$1/var/log/journal/$3" && cp "$2/system.journal" "$1/var/log/journal/$3/system.journal"',
          'plant',
          disk.root,
          journalDir,
          machine,
        ]),
      );
      const r = cli([]);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const out = r.stdout;
      assert.match(out, new RegExp(`Boots in the journal:\\n\\s+-1 ${boot1} .*\\n\\s+0 ${boot2} `));
      assert.match(out, new RegExp(`The last boot \\(${boot2}\\):`));
      assert.match(out, /FAILED sys-subsystem-net-devices-enp3s0\.device: timed out/);
      assert.match(out, /FAILED network-setup\.service: failed \(exit-code\)/);
      assert.ok(out.includes(REASON), 'the error the unit logged is shown');
      assert.match(out, /interface renames: eth0 → ens3/);
      assert.ok(
        out.includes(`Kernel command line of the last boot: init=${toplevels[1]}/init loglevel=4`),
        out,
      );
      assert.match(out, /The last boot started: nixos-generation-2\.conf/);
      assert.match(out, /enp3s0: DID NOT EXIST/);
      assert.doesNotMatch(out, /Text logs/, 'with a journal and journalctl, the journal is what is shown');
      assert.deepEqual(leftovers(), []);
    },
  );

  it('refuses hostile and ambiguous device names with a clear error, running nothing they hold', T, () => {
    const pwned = `/tmp/nixkit-rescue-pwned-${crypto.randomBytes(4).toString('hex')}`;
    const hostile = `LABEL=x"'$(touch ${pwned})\`touch ${pwned}\`'`;
    const r = cli(['--device', hostile]);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stderr, /is not a device on the target/);
    assert.ok(!fs.existsSync(pwned), 'nothing in the name ran (host)');
    assert.throws(() => inTarget(t.stateDir, ['test', '-e', pwned]), 'nothing in the name ran (target)');
    // A second filesystem with the root's UUID: the configuration's name now means two devices, which is refused.
    const twin = attachTestDisk(t, 'rescue-twin', 16);
    try {
      execFileSync('mkfs.ext4', ['-q', '-F', '-U', blkidUuid(disk.rootPart), twin.loop], { stdio: 'ignore' });
      const amb = cli([]);
      assert.equal(amb.code, 1, amb.stderr + amb.stdout);
      assert.match(amb.stderr, new RegExp(`names 2 devices here \\(.*${twin.loop}`));
      assert.deepEqual(leftovers(), []);
    } finally {
      execFileSync('losetup', ['-d', twin.loop]);
    }
  });

  it('rolls back on GRUB: the effective set default= line of a NixOS grub.cfg', T, () => {
    // The disk as a GRUB install leaves it: no systemd-boot files, a grub.cfg with the Default entry and the
    // "All configurations" submenu (as install-grub.pl writes it), the one-time next_entry block first.
    const menu = (title: string, top: string) =>
      `menuentry "${title}" --class nixos {\n  linux /kernels/bzImage init=${top}/init loglevel=4\n  initrd /kernels/initrd\n}\n`;
    const cfg =
      'set timeout=5\nif [ "${next_entry}" ]; then\n  set default="${next_entry}"\n  set next_entry=\nelse\n  set default=0\nfi\n' +
      menu('NixOS - Default', toplevels[1]) +
      'submenu "NixOS - All configurations" --class submenu {\n' +
      menu('NixOS - Configuration 2 (2026-12-07 - 24.05)', toplevels[1]) +
      menu('NixOS - Configuration 1 (2026-12-07 - 24.05)', toplevels[0]) +
      '}\n';
    withDiskMounted(() =>
      inTarget(t.stateDir, [
        'sh',
        '-c',
        'rm -rf "$1/boot/loader" && mkdir -p "$1/boot/grub" && printf %s "$2" > "$1/boot/grub/grub.cfg"',
        'grub',
        disk.root,
        cfg,
      ]),
    );
    const before = cli([]);
    assert.equal(before.code, 0, before.stderr);
    assert.match(
      before.stdout,
      /Boot loader: grub \(\/boot\/grub\/grub\.cfg\); default: grub\.cfg: set default=0/,
    );
    assert.match(before.stdout, /^\s+\* 0\s+NixOS - Default\s+\(generation 2\)$/m);
    assert.match(
      before.stdout,
      /^\s+1>1\s+NixOS - All configurations > NixOS - Configuration 1 .*\(generation 1\)$/m,
    );
    const r = cli(['--rollback', '1', '--yes']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /grub: default 0 → 1>1 \(generation 1\)/);
    const after = withDiskMounted(() => inTarget(t.stateDir, ['cat', `${disk.root}/boot/grub/grub.cfg`]));
    assert.match(after, /^ {2}set default="1>1"$/m);
    assert.match(after, /set default="\$\{next_entry\}"/, 'the one-time block is untouched');
    assert.equal(after.replace('set default="1>1"', 'set default=0'), cfg, 'nothing else changed');
    assert.deepEqual(leftovers(), []);
  });

  it('unmounts everything by itself when the connection drops', T, async () => {
    const session = await connectTarget(t, dir);
    const rescue = await RescueSession.open(session, {}, new AbortController().signal);
    await rescue.locate({ rootDevice: disk.rootPart });
    assert.ok(leftovers().length > 0, 'the rescue has the root mounted');
    const holderDir = rescue.root;
    assert.ok(inTarget(t.stateDir, ['ls', '-d', holderDir]).trim() === holderDir);
    assert.ok(killSshSessions(t) > 0);
    let left = leftovers();
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 200));
      left = leftovers();
    }
    assert.deepEqual(left, [], 'the holder unmounted when its input ended');
    assert.throws(() => inTarget(t.stateDir, ['ls', '-d', holderDir]), 'its mount point is gone');
    const problem = await rescue.close();
    assert.doesNotMatch(problem, /could not unmount/);
    session.close();
  });
});
