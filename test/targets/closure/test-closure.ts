// The test system closure (system.nix beside this file) as install options: a private Nix configuration and a
// local store under a temporary folder (Debian's nix-bin, no daemon), a static busybox for the builder, and a
// namespace-target disk (GPT, one loop device per partition, ext4 root, vfat ESP through FUSE) mounted inside the
// target's mount namespace. Used by the install end-to-end test and the copy benchmark.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InstallOptions } from '../../../protocol/install-state';
import { REPO_ROOT } from '../../helpers';

export const SYSTEM_NIX = path.join(REPO_ROOT, 'test', 'targets', 'closure', 'system.nix');

/** Finds a static busybox (Debian busybox-static installs /bin/busybox). */
export function staticBusybox(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) {
    if (!fs.existsSync(p)) continue;
    const ldd = (() => {
      try {
        return execFileSync('ldd', [p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        return (
          String((e as { stdout?: string }).stdout ?? '') + String((e as { stderr?: string }).stderr ?? '')
        );
      }
    })();
    if (/not a dynamic executable|statically linked/.test(ldd)) return p;
  }
  throw new Error('no static busybox (apt-get install busybox-static)');
}

export interface TestNix {
  store: string;
  storeRoot: string;
  env: Record<string, string>;
  busyboxDir: string;
}

/** A private Nix setup under `dir`: nix.conf (no build users, nix-command), HOME, a local store, busybox. */
export function testNix(dir: string): TestNix {
  const conf = path.join(dir, 'nix-conf');
  const home = path.join(dir, 'home');
  const storeRoot = path.join(dir, 'store');
  const busyboxDir = path.join(dir, 'busybox');
  fs.mkdirSync(conf, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(path.join(busyboxDir, 'bin'), { recursive: true });
  fs.writeFileSync(
    path.join(conf, 'nix.conf'),
    'build-users-group =\nexperimental-features = nix-command\nsandbox = true\nsubstituters =\n',
  );
  const bb = path.join(busyboxDir, 'bin', 'busybox');
  if (!fs.existsSync(bb)) {
    fs.copyFileSync(staticBusybox(), bb);
    fs.chmodSync(bb, 0o755);
    fs.symlinkSync('busybox', path.join(busyboxDir, 'bin', 'sh'));
  }
  return { store: `local?root=${storeRoot}`, storeRoot, env: { NIX_CONF_DIR: conf, HOME: home }, busyboxDir };
}

/**
 * Options fields that make the build step build the test closure into the test store; `bootloader` picks what its
 * switch-to-configuration installs (system.nix).
 */
export function closureOptions(
  nix: TestNix,
  payload: { mib: number; paths: number } = { mib: 0, paths: 4 },
  bootloader: 'systemd-boot' | 'grub' = 'systemd-boot',
): Pick<InstallOptions, 'buildExpr' | 'localNix'> {
  return {
    buildExpr: {
      file: SYSTEM_NIX,
      arg: { busyboxDir: nix.busyboxDir },
      argstr: {
        payloadMiB: String(payload.mib),
        payloadPaths: String(payload.paths),
        ...(bootloader === 'grub' ? { bootloader } : {}),
      },
    },
    localNix: { store: nix.store, env: nix.env },
  };
}

/** Runs a command inside the namespace target's mount namespace (where its sshd and the install's mounts live). */
export function inTarget(stateDir: string, argv: string[], input?: string): string {
  const holder = fs.readFileSync(path.join(stateDir, 'holder.pid'), 'utf8').trim();
  // -n as well: everything the target runs is in its network namespace, where its stop finds it (a FUSE daemon)
  return execFileSync('nsenter', ['-t', holder, '-m', '-n', '--', ...argv], {
    encoding: 'utf8',
    input,
    timeout: 60_000,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface TestDisk {
  image: string;
  disk: string;
  esp: string;
  rootPart: string;
  root: string;
}

/**
 * A blank GPT disk (ESP + root) as loop devices — this kernel parses no partition tables, so one loop device per
 * partition at its offset — formatted (vfat, ext4) and mounted at `root` inside the target (the ESP through
 * fusefat, as the kernel has no vfat). The image lies in the target's state folder: that makes its loop devices
 * the target's, detached by its stop even when diskDown never runs (a test process killed by its timeout).
 */
export function diskUp(stateDir: string, dir: string, sizeMiB = 384): TestDisk {
  fs.mkdirSync(path.join(stateDir, 'disks'), { recursive: true });
  const image = path.join(stateDir, 'disks', `closure-${path.basename(dir)}.img`);
  const root = path.join(dir, 'root');
  fs.mkdirSync(root, { recursive: true });
  execFileSync('truncate', ['-s', `${sizeMiB}M`, image]);
  const loops: string[] = [];
  const losetup = (args: string[]) => {
    const dev = execFileSync('losetup', ['--find', '--show', ...args], { encoding: 'utf8' }).trim();
    loops.push(dev);
    fs.appendFileSync(path.join(dir, 'loops'), dev + '\n');
    return dev;
  };
  const disk = losetup([image]);
  execFileSync('sfdisk', ['-q', '--wipe', 'always', disk], {
    input: 'label: gpt\nsize=64MiB, type=uefi, name=ESP\ntype=linux, name=nixos\n',
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  const table = JSON.parse(execFileSync('sfdisk', ['-J', disk], { encoding: 'utf8' })) as {
    partitiontable: { sectorsize?: number; partitions: { start: number; size: number }[] };
  };
  const ss = table.partitiontable.sectorsize ?? 512;
  const [p1, p2] = table.partitiontable.partitions.map((p) =>
    losetup(['-o', String(p.start * ss), '--sizelimit', String(p.size * ss), image]),
  );
  execFileSync('mkfs.vfat', ['-F', '32', '-n', 'BOOT', p1], { stdio: 'ignore' });
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'nixos', p2], { stdio: 'ignore' });
  mountDisk(stateDir, { image, disk, esp: p1, rootPart: p2, root });
  return { image, disk, esp: p1, rootPart: p2, root };
}

export function mountDisk(stateDir: string, d: TestDisk): void {
  inTarget(stateDir, [
    'sh',
    '-c',
    'set -e; mount "$1" "$3"; mkdir -p "$3/boot"; fusefat -o "rw+,allow_other,fsname=$2" "$2" "$3/boot"',
    'mnt',
    d.rootPart,
    d.esp,
    d.root,
  ]);
}

export function isMounted(stateDir: string, root: string): boolean {
  return inTarget(stateDir, ['cat', '/proc/self/mounts'])
    .split('\n')
    .some((l) => l.split(' ')[1] === root);
}

/** Unmounts (inside the target) and detaches the loop devices; safe after a failure half-way. */
export function diskDown(stateDir: string, dir: string): void {
  const root = path.join(dir, 'root');
  try {
    if (isMounted(stateDir, root)) inTarget(stateDir, ['umount', '-R', root]);
  } catch {
    try {
      inTarget(stateDir, ['umount', '-R', '-l', root]);
    } catch {
      /* gone with the namespace */
    }
  }
  const list = path.join(dir, 'loops');
  if (fs.existsSync(list)) {
    for (const l of fs.readFileSync(list, 'utf8').split('\n').filter(Boolean).reverse()) {
      try {
        execFileSync('losetup', ['-d', l], { stdio: 'ignore' });
      } catch {
        /* already detached */
      }
    }
    fs.rmSync(list);
  }
}
