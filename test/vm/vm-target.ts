// Starts and stops the full-tier target (test/targets/vm: a UEFI qemu VM under TCG) for tests and benchmarks, and
// describes it: where its SSH is, the cached root key, a known_hosts made from the cached host key, the sudo user.
// Each start gets its own state folder; stop() (idempotent, synchronous) stops qemu and deletes the folder, and is
// also run when the process exits. qemu has a hard lifetime besides, so a VM whose owner was killed dies anyway.
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ResolvedTarget } from '../../engine/ssh/target';
import { REPO_ROOT } from '../helpers';

export const VM_SH = path.join(REPO_ROOT, 'test', 'targets', 'vm', 'vm.sh');

export interface VmTarget {
  host: string;
  port: number;
  /** The cached image folder (root.img, vmlinuz, manifest.txt, ...). */
  image: string;
  /** The root key (id_ed25519 of the image). */
  identity: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 ...` from the image's host key, written by vm.sh start. */
  knownHosts: string;
  /** SHA256:... of the image's host key. */
  fingerprint: string;
  /** The user with sudo (asks for the password) and its password. */
  user: string;
  password: string;
  /** /dev/disk/by-id/virtio-nixkit-target: the blank 4 GiB target disk. */
  targetDisk: string;
  /** Facts of the image: kernel, root_uuid, hostname, ... (manifest.txt). */
  manifest: Record<string, string>;
  state: string;
  /** Seconds from `vm.sh start` to sshd answering. */
  bootSeconds: number;
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [VM_SH, ...args],
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`vm.sh ${args.join(' ')} failed: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/**
 * Boots the VM (live mode) and waits until its sshd answers with the pinned host key. Rejects (after stopping the
 * VM) when that takes longer than `sshDeadlineS`. The returned stop() must be called in any case.
 */
export function startVmTarget(
  options: { sshDeadlineS?: number; lifetimeS?: number; usbStick?: string } = {},
): {
  ready: Promise<VmTarget>;
  stop: () => void;
} {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-test-'));
  const env = {
    ...process.env,
    NIXKIT_VM_STATE: state,
    // a VM this process loses (killed runner) dies on its own after this long
    NIXKIT_VM_LIFETIME: String(options.lifetimeS ?? 1800),
    // a raw image file the VM sees as a removable USB stick (vm.sh: usb-storage on xHCI)
    ...(options.usbStick ? { NIXKIT_VM_USB_STICK: options.usbStick } : {}),
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', stop);
    try {
      execFileSync('bash', [VM_SH, 'clean'], { env, stdio: 'ignore', timeout: 60_000 });
    } finally {
      fs.rmSync(state, { recursive: true, force: true });
    }
  };
  process.once('exit', stop);
  const deadline = options.sshDeadlineS ?? 300;
  const ready = (async () => {
    const t0 = Date.now();
    // start builds the image first when it is not cached (as root; several minutes)
    await run(['start'], env, 900_000);
    await run(['wait-ssh', String(deadline)], env, (deadline + 60) * 1000);
    const bootSeconds = (Date.now() - t0) / 1000;
    const vars: Record<string, string> = {};
    for (const line of (await run(['env'], env, 30_000)).split('\n')) {
      const m = /^(NIXKIT_VM_\w+)=(.*)$/.exec(line);
      if (m) vars[m[1]] = m[2];
    }
    const image = fs.readFileSync(path.join(state, 'image'), 'utf8').trim();
    const manifest: Record<string, string> = {};
    for (const line of fs.readFileSync(path.join(image, 'manifest.txt'), 'utf8').split('\n')) {
      const m = /^(\S+) (.*)$/.exec(line);
      if (m) manifest[m[1]] = m[2];
    }
    return {
      host: vars.NIXKIT_VM_HOST,
      port: Number(vars.NIXKIT_VM_PORT),
      image,
      identity: vars.NIXKIT_VM_KEY,
      knownHosts: vars.NIXKIT_VM_KNOWN_HOSTS,
      fingerprint: vars.NIXKIT_VM_FINGERPRINT,
      user: fs.readFileSync(path.join(image, 'user'), 'utf8').trim(),
      password: fs.readFileSync(path.join(image, 'password'), 'utf8').trim(),
      targetDisk: vars.NIXKIT_VM_TARGET_DISK,
      manifest,
      state,
      bootSeconds,
    };
  })();
  return { ready, stop };
}

export function vmResolved(vm: VmTarget, user: string, identityFiles: string[]): ResolvedTarget {
  return { label: `${user}@${vm.host}`, user, host: vm.host, port: vm.port, identityFiles, proxyJump: [] };
}
