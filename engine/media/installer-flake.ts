// `nixkit media build`: the user's own NixOS installer (ISO, kexec tree or netboot set) with SSH on and the user's
// public key in root's authorized_keys, built from the same nixpkgs as the user's configuration. nixkit writes a
// small flake next to the user's (FLAKE/.nixkit/installer: flake.nix, and flake.lock holding the user's locked
// nixpkgs node unchanged) and runs `nix build` in it. Every value from outside (key lines, URLs) enters the Nix
// text through nixString; the build command is an argv (never a shell line) run in that folder, so the folder's
// path never enters a flake reference.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type {
  InstallerBuildOptions,
  InstallerBuildPlan,
  InstallerBuildResult,
  InstallerKind,
} from '../../protocol/media-boot';
import { kindOfUrl } from '../../server/model/flake-inputs';

export class InstallerBuildError extends Error {}

/** nixpkgs when neither flake.lock nor flake.nix names one (said in the plan: source 'default'). */
export const DEFAULT_NIXPKGS = 'github:NixOS/nixpkgs/nixos-unstable';

/** A Nix double-quoted string literal holding exactly `s`: \ and " escaped, ${ made literal. */
export function nixString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/**
 * The public keys in a .pub / authorized_keys-style text: one per non-comment line, `TYPE BASE64 [COMMENT]`.
 * Refuses a private key, options before the type, control characters, and a file with no key.
 */
export function parsePublicKeys(text: string, file: string): string[] {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    throw new InstallerBuildError(`${JSON.stringify(file)} is a PRIVATE key: give the .pub file`);
  const keys: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(line))
      throw new InstallerBuildError(`${JSON.stringify(file)}: a key line holds a control character`);
    const [type, blob] = line.split(/\s+/, 2);
    if (!KEY_TYPES.includes(type) || !blob || !/^[A-Za-z0-9+/]+={0,3}$/.test(blob))
      throw new InstallerBuildError(
        `${JSON.stringify(file)}: not an SSH public key line (want "${KEY_TYPES[0]} AAAA... comment"): ${JSON.stringify(line.slice(0, 60))}`,
      );
    keys.push(line);
  }
  if (keys.length === 0) throw new InstallerBuildError(`${JSON.stringify(file)} holds no public key`);
  return keys;
}

interface LockNode {
  inputs?: Record<string, string | string[]>;
  original?: Record<string, unknown>;
  locked?: Record<string, unknown>;
  flake?: boolean;
}

function refOf(o: Record<string, unknown> | undefined): string | undefined {
  if (!o) return undefined;
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const type = s('type');
  if ((type === 'github' || type === 'gitlab' || type === 'sourcehut') && s('owner') && s('repo'))
    return `${type}:${s('owner')}/${s('repo')}${s('ref') ? `/${s('ref')}` : s('rev') ? `/${s('rev')}` : ''}`;
  if (type === 'indirect' && s('id')) return `flake:${s('id')}${s('ref') ? `/${s('ref')}` : ''}`;
  if ((type === 'git' || type === 'tarball' || type === 'file') && s('url')) {
    const ref = s('ref');
    return type === 'git' ? `git+${s('url')}${ref ? `?ref=${encodeURIComponent(ref)}` : ''}` : s('url');
  }
  if (type === 'path' && s('path')) return `path:${s('path')}`;
  return undefined;
}

/** The user's nixpkgs: the lock's node (kept whole for our flake.lock) and its original reference as the URL. */
export function findNixpkgs(flakeDir: string): {
  url: string;
  source: 'flake.lock' | 'flake.nix' | 'default';
  lockNode?: LockNode;
} {
  let lock: { nodes?: Record<string, LockNode>; root?: string } | undefined;
  try {
    lock = JSON.parse(fs.readFileSync(path.join(flakeDir, 'flake.lock'), 'utf8')) as typeof lock;
  } catch {
    lock = undefined;
  }
  if (lock?.nodes) {
    const nodes = lock.nodes;
    const root = nodes[typeof lock.root === 'string' ? lock.root : 'root'];
    const entries = Object.entries(root?.inputs ?? {});
    // By what it is (its original URL), the input called nixpkgs first.
    entries.sort(([a], [b]) => (a === 'nixpkgs' ? -1 : b === 'nixpkgs' ? 1 : 0));
    for (const [, ref] of entries) {
      if (typeof ref !== 'string') continue;
      const node = nodes[ref];
      const url = refOf(node?.original);
      if (node?.locked && url && kindOfUrl(url) === 'nixpkgs' && !node.inputs)
        return { url, source: 'flake.lock', lockNode: { locked: node.locked, original: node.original } };
    }
  }
  let text = '';
  try {
    text = fs.readFileSync(path.join(flakeDir, 'flake.nix'), 'utf8');
  } catch {
    text = '';
  }
  // `nixpkgs.url = "…";` (in an inputs set or as inputs.nixpkgs.url) — the common spelling; others get the default.
  const m =
    /\bnixpkgs\.url\s*=\s*"([^"\\$]*)"/.exec(text) ??
    /\bnixpkgs\s*=\s*\{\s*url\s*=\s*"([^"\\$]*)"/.exec(text);
  if (m && kindOfUrl(m[1]) === 'nixpkgs') return { url: m[1], source: 'flake.nix' };
  return { url: DEFAULT_NIXPKGS, source: 'default' };
}

/** What each kind builds: the installer modules from nixpkgs and the output that holds the result. */
const KINDS: Record<InstallerKind, { modules: string[]; output: string; what: string }> = {
  iso: {
    modules: ['installer/cd-dvd/installation-cd-minimal.nix'],
    output: 'system.build.isoImage',
    what: 'a bootable ISO (result-iso/iso/*.iso; write it with nixkit media write)',
  },
  kexec: {
    modules: ['installer/netboot/netboot-minimal.nix', 'installer/kexec/kexec-boot.nix'],
    output: 'system.build.kexecTree',
    what: 'a kexec tree (kernel, initrd, kexec-boot script) that boots the installer from a running Linux',
  },
  netboot: {
    modules: ['installer/netboot/netboot-minimal.nix'],
    output: 'netboot',
    what: 'a netboot set (bzImage, initrd, netboot.ipxe; serve it with nixkit media netboot result-netboot)',
  },
};

/** The installer's flake.nix. */
export function installerFlakeNix(
  kind: InstallerKind,
  nixpkgsUrl: string,
  keys: string[],
  system: string,
): string {
  const k = KINDS[kind];
  const modules = k.modules.map((m) => `          "\${nixpkgs}/nixos/modules/${m}"`).join('\n');
  const keyLines = keys.map((key) => `            ${nixString(key)}`).join('\n');
  // netboot: the three parts NixOS's netboot is made of, joined into one folder (as nixpkgs' release.nix does).
  const pkg =
    kind === 'netboot'
      ? `pkgs.symlinkJoin {
          name = "nixos-netboot-installer";
          paths = [
            cfg.system.build.kernel
            cfg.system.build.netbootRamdisk
            cfg.system.build.netbootIpxeScript
          ];
        }`
      : `cfg.${k.output}`;
  return `# Written by \`nixkit media build --kind ${kind}\`: ${k.what}.
# The NixOS installer with sshd on and your key for root; nixpkgs is your configuration's (see flake.lock).
# Rebuilding by hand: nix build .#${kind} (in this folder). nixkit rewrites this file on every build.
{
  description = "NixOS installer (${kind}) with SSH access, by nixkit";

  inputs.nixpkgs.url = ${nixString(nixpkgsUrl)};

  outputs =
    { nixpkgs, ... }:
    let
      system = ${nixString(system)};
      installer = nixpkgs.lib.nixosSystem {
        inherit system;
        modules = [
${modules}
          {
            services.openssh.enable = true;
            services.openssh.settings.PermitRootLogin = "prohibit-password";
            users.users.root.openssh.authorizedKeys.keys = [
${keyLines}
            ];
          }
        ];
      };
${kind === 'netboot' ? '      pkgs = nixpkgs.legacyPackages.${system};\n' : ''}      cfg = installer.config;
    in
    {
      nixosConfigurations.installer = installer;
      packages.\${system}.${kind} = ${pkg};
    };
}
`;
}

/** A flake.lock holding only the user's locked nixpkgs node (same rev and hash: the same nixpkgs). */
export function installerFlakeLock(node: LockNode): string {
  return (
    JSON.stringify(
      {
        nodes: { nixpkgs: node, root: { inputs: { nixpkgs: 'nixpkgs' } } },
        root: 'root',
        version: 7,
      },
      null,
      2,
    ) + '\n'
  );
}

/** The public key files tried when --ssh-key is not given. */
export function defaultKeyFiles(home = os.homedir()): string[] {
  return ['id_ed25519.pub', 'id_ecdsa.pub', 'id_rsa.pub'].map((f) => path.join(home, '.ssh', f));
}

/** Reads the user's flake and key and forms what will be written and run; writes nothing. */
export async function planInstallerBuild(options: InstallerBuildOptions): Promise<InstallerBuildPlan> {
  const flakeDir = path.resolve(options.flakeDir);
  if (!fs.existsSync(path.join(flakeDir, 'flake.nix')))
    throw new InstallerBuildError(`${JSON.stringify(flakeDir)} has no flake.nix (give --flake DIR)`);
  if (!Object.hasOwn(KINDS, options.kind))
    throw new InstallerBuildError(`--kind is iso, kexec or netboot (got ${JSON.stringify(options.kind)})`);
  const system = options.system ?? 'x86_64-linux';
  if (!/^[a-z0-9_]+-[a-z0-9_]+$/.test(system))
    throw new InstallerBuildError(`not a Nix system: ${JSON.stringify(system)}`);
  let keyFile = options.sshKeyFile;
  if (keyFile === undefined) {
    keyFile = defaultKeyFiles().find((f) => fs.existsSync(f));
    if (!keyFile)
      throw new InstallerBuildError(
        'no SSH public key found in ~/.ssh (id_ed25519.pub, …): give --ssh-key FILE',
      );
  }
  let keyText: string;
  try {
    const st = fs.statSync(keyFile);
    if (!st.isFile()) throw new InstallerBuildError(`${JSON.stringify(keyFile)} is not a file`);
    if (st.size > 64 * 1024)
      throw new InstallerBuildError(`${JSON.stringify(keyFile)} is too large to be a public key`);
    keyText = fs.readFileSync(keyFile, 'utf8');
  } catch (e) {
    if (e instanceof InstallerBuildError) throw e;
    throw new InstallerBuildError(
      `cannot read ${JSON.stringify(keyFile)}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
  const keys = parsePublicKeys(keyText, keyFile);
  const nixpkgs = findNixpkgs(flakeDir);
  const outDir = path.resolve(options.outDir ?? path.join(flakeDir, '.nixkit', 'installer'));
  const files = [{ name: 'flake.nix', content: installerFlakeNix(options.kind, nixpkgs.url, keys, system) }];
  if (nixpkgs.lockNode) files.push({ name: 'flake.lock', content: installerFlakeLock(nixpkgs.lockNode) });
  const attribute = `.#packages.${system}.${options.kind}`;
  // `path:.`: the folder as it is on disk, run with cwd = outDir (a git flake would ignore untracked files, and
  // the folder's own path, whatever characters it holds, never enters the flake reference).
  const argv = [
    'nix',
    '--extra-experimental-features',
    'nix-command flakes',
    'build',
    '--print-build-logs',
    '--print-out-paths',
    '--out-link',
    `result-${options.kind}`,
    `path:.#packages.${system}.${options.kind}`,
  ];
  return {
    kind: options.kind,
    outDir,
    files,
    nixpkgs: { url: nixpkgs.url, source: nixpkgs.source },
    argv,
    attribute,
    authorizedKeys: keys,
  };
}

/** Writes the plan's files into its folder (created; the files replaced). */
export function writeInstallerFlake(plan: InstallerBuildPlan): void {
  fs.mkdirSync(plan.outDir, { recursive: true });
  for (const f of plan.files) fs.writeFileSync(path.join(plan.outDir, f.name), f.content);
  // Nix would keep a stale lock of another nixpkgs when the user's flake has none now.
  if (!plan.files.some((f) => f.name === 'flake.lock'))
    fs.rmSync(path.join(plan.outDir, 'flake.lock'), { force: true });
}

/** Runs the build in the plan's folder, streaming its log lines; resolves when nix exits. */
export function runInstallerBuild(
  plan: InstallerBuildPlan,
  hooks: { onLine?(line: string): void; signal?: AbortSignal; env?: NodeJS.ProcessEnv } = {},
): Promise<InstallerBuildResult> {
  return new Promise((resolve) => {
    const [cmd, ...args] = plan.argv;
    const child = spawn(cmd, args, {
      cwd: plan.outDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: hooks.env ?? process.env,
    });
    const outPaths: string[] = [];
    let rest = '';
    const onErr = (b: Buffer) => {
      const parts = (rest + b.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const l of parts) hooks.onLine?.(l);
    };
    child.stderr.on('data', onErr);
    child.stdout.on('data', (b: Buffer) => {
      for (const l of b.toString('utf8').split('\n')) if (l.startsWith('/')) outPaths.push(l.trim());
    });
    const onAbort = () => child.kill('SIGINT');
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      resolve({ ok: false, exitCode: null, outPaths: [], summary: `cannot run ${cmd}: ${e.message}` });
    });
    child.on('close', (code) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      if (rest) hooks.onLine?.(rest);
      resolve({
        ok: code === 0,
        exitCode: code,
        outPaths,
        summary:
          code === 0
            ? `built ${plan.kind}: ${outPaths.join(' ')} (link ${path.join(plan.outDir, `result-${plan.kind}`)})`
            : `nix build failed (exit ${code})`,
      });
    });
  });
}
