// The first install steps against the namespace target, for real: preflight refusals, partition + format + mount of
// a blank loop disk (ext4 with swap, btrfs with subvolumes), hardware-configuration.nix generated after mounting
// and checked clean, resume after the target lost its mounts, `--dry-run` changing nothing, and hostile names.
// This kernel parses no partition tables and has no vfat: the partition step takes its default path (the kernel
// shows no new partitions, so partx tells it about them, as on any disk whose table the kernel did not re-read),
// and the mount step falls back to fusefat.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkPaths } from '../../server/analysis/check-files';
import { makeInstallCommand } from '../../cli/install-command';
import type { CliIO } from '../../cli/io';
import type { DiskLayout, InstallOptions, InstallState, StepId } from '../../protocol/install-state';
import { plannedPartitions } from '../../engine/install/layout';
import { InstallFailedError, InstallRunner } from '../../engine/install/runner';
import { newInstallState, StateStore } from '../../engine/install/state-store';
import { installSteps, type StepHooks } from '../../engine/install/steps';
import { writeFlake } from '../unit/install/fixtures';
import {
  attachTestDisk,
  connectTarget,
  makeTestLink,
  startNetnsTarget,
  type TestTarget,
} from './netns-target';

const T = { timeout: 120_000 };
let t: TestTarget;
let stop: () => void;
let dir: string;
const roots: string[] = [];

function sh(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { timeout: 60_000 }).toString();
}

/** A blank disk image on a loop device (the host's /dev is the target's); the target's stop detaches it. */
function blankDisk(name: string, mib = 400): { image: string; loop: string } {
  return attachTestDisk(t, name, mib);
}

/** The only seam left: the ESP through FUSE (this kernel has no vfat). */
const hooks: StepHooks = { fuseVfatFallback: true };

function connect(user = 'root') {
  return (signal: AbortSignal) => connectTarget(t, dir, user, { readyTimeoutMs: 20_000, signal });
}

/** Runs a command inside the target's mount namespace (where the install mounts things). */
async function onTarget(argv: string[]): Promise<string> {
  const s = await connect()(new AbortController().signal);
  try {
    const r = await s.exec(argv, { timeoutMs: 30_000 });
    return r.stdout.toString();
  } finally {
    s.close();
  }
}

function newRoot(name: string): string {
  const r = path.join(t.stateDir, `install-${name}`);
  roots.push(r);
  return r;
}

function options(o: Partial<InstallOptions>): InstallOptions {
  return {
    flake: writeFlake(fs.mkdtempSync(path.join(dir, 'flake-'))),
    configuration: 'demo',
    target: `root@${t.host}`,
    buildOn: 'local',
    root: '/mnt',
    reboot: false,
    ...o,
  };
}

const MY_STEPS: StepId[] = ['preflight', 'partition', 'mount', 'hardware-config'];

function runner(
  opts: InstallOptions,
  o: { user?: string; state?: InstallState; upTo?: StepId; afterStep?: (id: StepId) => void } = {},
) {
  const last = MY_STEPS.indexOf(o.upTo ?? 'hardware-config');
  // only this file's steps (the later ones have tests of their own)
  const steps = installSteps(hooks).filter((s) => MY_STEPS.includes(s.id) && MY_STEPS.indexOf(s.id) <= last);
  const store = new StateStore(path.join(opts.flake, '.nixkit', 'installs'));
  const state =
    o.state ??
    newInstallState(
      opts,
      steps.map((s) => s.id),
    );
  const events: string[] = [];
  const r = new InstallRunner(state, {
    steps,
    store,
    connect: connect(o.user),
    onStepState: (st) => {
      if (st.status === 'done') o.afterStep?.(st.id);
    },
    onEvent: (id, e) =>
      events.push(`${id} ${e.kind} ${e.kind === 'command' ? e.command.argv.join(' ') : ''}`),
    signal: AbortSignal.timeout(110_000),
  });
  return { r, store, events };
}

async function cleanupRoot(root: string): Promise<void> {
  await onTarget([
    'sh',
    '-c',
    'umount -R "$1" 2>/dev/null || umount -R -l "$1" 2>/dev/null; true',
    'x',
    root,
  ]).catch(() => undefined);
}

/** The kernel partitions of a loop device (what partx gave it). */
function partitionsOf(loop: string): string[] {
  const sys = `/sys/class/block/${path.basename(loop)}`;
  if (!fs.existsSync(sys)) return [];
  return fs
    .readdirSync(sys)
    .filter((n) => fs.existsSync(path.join(sys, n, 'partition')))
    .map((n) => `/dev/${n}`);
}

before(
  () => {
    ({ target: t, stop } = startNetnsTarget());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-install-steps-'));
  },
  { timeout: 90_000 },
);

// The target's stop turns off the swap on its disks, unmounts the install roots (all in its state folder), ends
// the FUSE daemons and detaches every loop device whose image lies there, partitions first.
after(
  () => {
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 90_000 },
);

describe('preflight refuses early, with the reason', () => {
  it('the disk that holds the running system', T, async () => {
    const live = fs.existsSync('/dev/vda') ? '/dev/vda' : undefined;
    assert.ok(live, 'this test expects the host to run from /dev/vda');
    const { r } = runner(options({ disk: live, confirmedDisk: live, root: newRoot('live') }), {
      upTo: 'preflight',
    });
    await assert.rejects(r.run(), (e: unknown) => {
      assert.ok(e instanceof InstallFailedError, String(e));
      assert.equal(e.stepId, 'preflight');
      assert.match(e.message, /holds the running system/);
      return true;
    });
  });

  it('a mounted disk', T, async () => {
    const { r } = runner(options({ disk: t.disks.a, confirmedDisk: t.disks.a, root: newRoot('mounted') }), {
      upTo: 'preflight',
    });
    await assert.rejects(r.run(), /is in use: \/dev\/loop\d+ mounted at .*\/root/);
  });

  it('a user that is not root and has no sudo', T, async () => {
    const { loop } = blankDisk('nosudo', 200);
    const { r } = runner(options({ disk: loop, confirmedDisk: loop, root: newRoot('nosudo') }), {
      user: t.users.noSudo,
      upTo: 'preflight',
    });
    await assert.rejects(r.run(), /neither root nor allowed to use sudo/);
  });

  it('a configuration with errors, listing them', T, async () => {
    const { loop } = blankDisk('cfgerr', 200);
    const flake = writeFlake(fs.mkdtempSync(path.join(dir, 'bad-')), 'demo', { withError: true });
    const { r } = runner(options({ flake, disk: loop, confirmedDisk: loop }), { upTo: 'preflight' });
    await assert.rejects(
      r.run(),
      /1 error; fix it first:\n\s+hosts\/demo\/hardware-configuration\.nix:\d+:\d+: .*esp-mount-mismatch/,
    );
  });

  it('an unconfirmed or mistyped disk', T, async () => {
    const { loop } = blankDisk('unconfirmed', 200);
    const { r } = runner(options({ disk: loop, confirmedDisk: loop + ' ' }), { upTo: 'preflight' });
    await assert.rejects(r.run(), /does not match the disk/);
  });
});

async function installAndCheck(layout: DiskLayout, name: string, prepare?: (loop: string) => void) {
  const { loop, image } = blankDisk(name);
  prepare?.(loop);
  const root = newRoot(name);
  const opts = options({ disk: loop, confirmedDisk: loop, layout, root });
  const { r, store, events } = runner(opts);
  const state = await r.run();
  assert.equal(state.status, 'done');
  assert.deepEqual(
    store.load(state.id).steps.map((s) => s.status),
    ['done', 'done', 'done', 'done'],
  );
  // destructive commands really ran, in order
  const cmds = events.filter((e) => e.includes(' command ')).map((e) => e.split(' command ')[1]);
  assert.ok(
    cmds.indexOf(`wipefs --all ${loop}`) <
      cmds.indexOf(`sfdisk --wipe always --wipe-partitions always ${loop}`),
  );
  // The loop has no partition scanning (and this kernel no table parsers): partx told the kernel, announced, and
  // the partitions are the kernel's own, on this disk, where the table puts them.
  assert.ok(cmds.includes(`partx --add ${loop}`), cmds.join('\n'));
  const devices = Object.values(
    (
      state.steps.find((s) => s.id === 'partition')!.outputs as {
        devices: Record<string, string | undefined>;
      }
    ).devices,
  ).filter((d) => d !== undefined);
  assert.deepEqual(devices.sort(), partitionsOf(loop).sort());
  assert.equal(partitionsOf(loop).length, plannedPartitions(layout).length);
  const table = JSON.parse(sh('sfdisk', ['-J', loop])) as {
    partitiontable: { partitions: { node: string; start: number; size: number }[] };
  };
  for (const p of table.partitiontable.partitions) {
    const sys = `/sys/class/block/${path.basename(p.node)}`;
    assert.deepEqual(
      [fs.readFileSync(`${sys}/start`, 'utf8').trim(), fs.readFileSync(`${sys}/size`, 'utf8').trim()],
      [String(p.start), String(p.size)],
      p.node,
    );
  }
  return { loop, image, root, opts, state, store, cmds };
}

describe('partition, format and mount a blank disk', () => {
  it(
    'ext4 with swap: mounted, hardware-configuration.nix generated and clean, disko file clean',
    T,
    async () => {
      const { root, opts, state } = await installAndCheck(
        { espSizeMiB: 64, rootFs: 'ext4', swapSizeMiB: 32 },
        'ext4',
      );
      const mounts = await onTarget(['findmnt', '-rn', '-o', 'TARGET,FSTYPE', '-R', root]);
      assert.match(mounts, new RegExp(`^${root} ext4$`, 'm'));
      assert.match(mounts, new RegExp(`^${root}/boot (vfat|fuseblk|fuse)`, 'm'));
      const swaps = fs.readFileSync('/proc/swaps', 'utf8');
      const dev = (state.steps.find((s) => s.id === 'partition')!.outputs as { devices: { swap: string } })
        .devices.swap;
      assert.ok(swaps.includes(dev), swaps);
      execFileSync('swapoff', [dev]);

      const hw = path.join(opts.flake, 'hosts', 'demo', 'hardware-configuration.nix');
      const text = fs.readFileSync(hw, 'utf8');
      assert.match(
        text,
        /fileSystems\."\/" =\n\s+\{ device = "\/dev\/disk\/by-uuid\/[0-9a-f-]+";\n\s+fsType = "ext4";/,
      );
      assert.match(
        text,
        /fileSystems\."\/boot" =\n\s+\{ device = "\/dev\/disk\/by-uuid\/[0-9A-F-]+";\n\s+fsType = "vfat";/,
      );
      assert.match(text, /swapDevices =\n\s+\[ \{ device = "\/dev\/disk\/by-uuid\//);
      // the old file was kept
      assert.ok(fs.existsSync(`${hw}.bak-${state.id}`));
      const disko = path.join(opts.flake, 'hosts', 'demo', 'disko.nix');
      execFileSync('nix-instantiate', ['--parse', disko], { stdio: 'pipe' });
      const check = await checkPaths([opts.flake]);
      assert.deepEqual(
        check.findings
          .filter((f) => f.severity === 'error' || f.severity === 'warning')
          .map((f) => f.message),
        [],
      );
      await cleanupRoot(root);
    },
  );

  it(
    'partitions the kernel still has from an old table are replaced, not taken for the new ones',
    T,
    async () => {
      // as a loop device reattached after an earlier use keeps them: same names, other places
      const { root, cmds, loop } = await installAndCheck(
        { espSizeMiB: 64, rootFs: 'ext4' },
        'stale',
        (loop) => {
          execFileSync('sfdisk', ['-q', loop], {
            input: 'label: gpt\nsize=8MiB, type=linux\nsize=8MiB, type=linux\ntype=linux\n',
          });
          sh('partx', ['--add', loop]);
          assert.equal(partitionsOf(loop).length, 3);
        },
      );
      // the old table had three partitions, the new one two: the third is gone too (checked in installAndCheck)
      assert.ok(
        cmds.indexOf(`partx --delete ${loop}`) < cmds.indexOf(`partx --add ${loop}`),
        cmds.join('\n'),
      );
      assert.ok(cmds.includes(`partx --delete ${loop}`), cmds.join('\n'));
      await cleanupRoot(root);
    },
  );

  it('btrfs with subvolumes', T, async () => {
    const { root, opts } = await installAndCheck(
      { espSizeMiB: 64, rootFs: 'btrfs', subvolumes: { '@': '/', '@home': '/home', '@nix': '/nix' } },
      'btrfs',
    );
    const mounts = await onTarget(['findmnt', '-rn', '-o', 'TARGET,FSTYPE,FSROOT', '-R', root]);
    assert.match(mounts, new RegExp(`^${root} btrfs /@$`, 'm'));
    assert.match(mounts, new RegExp(`^${root}/home btrfs /@home$`, 'm'));
    assert.match(mounts, new RegExp(`^${root}/nix btrfs /@nix$`, 'm'));
    const text = fs.readFileSync(
      path.join(opts.flake, 'hosts', 'demo', 'hardware-configuration.nix'),
      'utf8',
    );
    assert.match(text, /fileSystems\."\/home" =[\s\S]*?options = \[ "subvol=@home" \];/);
    await cleanupRoot(root);
  });

  // LUKS needs device-mapper, which this kernel lacks: test/vm/luks.test.ts runs it on the VM's kernel.

  it(
    'resume after a failed step and lost mounts: partition verified, not redone; mount and the failed step run again',
    T,
    async () => {
      const { loop } = blankDisk('resume');
      const root = newRoot('resume');
      const opts = options({
        disk: loop,
        confirmedDisk: loop,
        layout: { espSizeMiB: 64, rootFs: 'xfs' },
        root,
      });
      // hardware-config fails: once the disk is mounted, a folder stands where the file goes
      const hw = path.join(opts.flake, 'hosts', 'demo', 'hardware-configuration.nix');
      const saved = fs.readFileSync(hw, 'utf8');
      const first = runner(opts, {
        afterStep: (id) => {
          if (id !== 'mount') return;
          fs.rmSync(hw);
          fs.mkdirSync(hw);
        },
      });
      await assert.rejects(
        first.r.run(),
        (e: unknown) => e instanceof InstallFailedError && e.stepId === 'hardware-config',
      );
      const state = first.store.load(first.r.state.id);
      assert.deepEqual(
        state.steps.map((s) => s.status),
        ['done', 'done', 'done', 'failed'],
      );
      await cleanupRoot(root); // as a reboot of a rescue system would
      fs.rmdirSync(hw);
      fs.writeFileSync(hw, saved);
      const again = runner(opts, { state });
      await again.r.run();
      const cmds = again.events.filter((e) => e.includes(' command ')).map((e) => e.split(' command ')[1]);
      assert.ok(!cmds.some((c) => /^(wipefs|sfdisk --wipe|mkfs)/.test(c)), cmds.join('\n'));
      assert.ok(
        cmds.some((c) => c.startsWith(`mount -t xfs`)),
        cmds.join('\n'),
      );
      assert.match(await onTarget(['findmnt', '-rn', '-o', 'FSTYPE', root]), /^xfs$/m);
      assert.match(fs.readFileSync(hw, 'utf8'), /fsType = "xfs";/);
      assert.deepEqual(
        again.store.load(state.id).steps.map((s) => s.status),
        ['done', 'done', 'done', 'done'],
      );
      await cleanupRoot(root);
    },
  );
});

describe('nixkit install --dry-run', () => {
  it('prints every command, destructive ones marked, and changes nothing', T, async () => {
    const { loop, image } = blankDisk('dryrun', 200);
    execFileSync('sh', ['-c', 'printf "label: gpt\\ntype=linux\\n" | sfdisk -q "$1"', 'x', loop]);
    const hash = () => crypto.createHash('sha256').update(fs.readFileSync(image)).digest('hex');
    const before = { bytes: hash(), table: sh('sfdisk', ['-J', loop]) };
    const flake = writeFlake(fs.mkdtempSync(path.join(dir, 'dry-')));
    // The CLI takes disks by /dev/disk/by-id only (kernel names are refused): a link, as udev makes for a disk.
    const link = `/dev/disk/by-id/nk-dryrun-${process.pid}`;
    fs.rmSync(link, { force: true });
    makeTestLink(t, loop, link); // removed by the target's teardown, even after a timeout
    let out = '';
    let err = '';
    const io: CliIO = {
      stdout: (s) => (out += s),
      stderr: (s) => (err += s),
      cwd: dir,
      env: {},
      signal: new AbortController().signal,
    };
    const code = await makeInstallCommand({ hooks })(
      [
        '--flake',
        `${flake}#demo`,
        '--target',
        `root@${t.host}`,
        '--disk',
        link,
        '--dry-run',
        '--known-hosts',
        path.join(dir, 'kh'),
      ],
      io,
    );
    assert.equal(code, 0, err);
    assert.match(out, new RegExp(`target \\[DESTRUCTIVE\\]: wipefs --all ${link}`));
    assert.match(out, /target \[DESTRUCTIVE\]: mkfs\.ext4 -F -L nixos /);
    assert.match(out, /stdin: label: gpt/);
    assert.match(out, /dry run: nothing was run or changed/);
    assert.equal(hash(), before.bytes);
    assert.equal(sh('sfdisk', ['-J', loop]), before.table);
    assert.ok(!fs.existsSync(path.join(flake, '.nixkit')), 'a dry run saves no state');
    assert.ok(!fs.existsSync(path.join(dir, 'kh')), 'a dry run connects to nothing');
  });
});

describe('hostile names', () => {
  it('a disk id and labels with quotes and $() never reach a shell unquoted', T, async () => {
    const { loop } = blankDisk('hostile');
    const marker = `nkpwn${process.pid}`;
    const link = `/dev/disk/by-id/nk-'"$(touch ${marker})\`touch ${marker}\`;touch ${marker}`;
    makeTestLink(t, loop, link);
    const root = newRoot(`hostile'$(touch ${marker})`);
    const opts = options({
      disk: link,
      confirmedDisk: link,
      layout: {
        espSizeMiB: 64,
        rootFs: 'btrfs',
        subvolumes: { '@': '/' },
        labels: { root: `r'$(touch ${marker})\``, swap: 's' },
      },
      root,
    });
    const { r } = runner(opts);
    await r.run();
    // the target's home and / are its own (its mount namespace binds root's home): looked at on the target
    const onTheTarget = await onTarget([
      'sh',
      '-c',
      'for d in "$PWD" ~ /; do [ ! -e "$d/$1" ] || echo "$d"; done',
      'x',
      marker,
    ]);
    assert.equal(onTheTarget, '', `marker created on the target in ${onTheTarget}`);
    for (const where of ['/', dir, os.homedir()])
      assert.ok(!fs.existsSync(path.join(where, marker)), `marker created in ${where}`);
    assert.ok(!fs.existsSync(t.marker), 'the target marker was created');
    const label = sh('blkid', [
      '-s',
      'LABEL',
      '-o',
      'value',
      (r.state.steps[1].outputs as { devices: { root: string } }).devices.root,
    ]);
    assert.equal(label.trim(), `r'$(touch ${marker})\``);
    await cleanupRoot(root);
  });
});
