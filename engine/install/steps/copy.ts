// The copy step (steps/index.ts holds the order): put the closure into the target's `<root>/nix/store`, skipping
// what is already there.
//
// - With Nix on the target: `nix copy --to ssh://root@HOST?remote-store=local?root=<root>` through OpenSSH, host
//   key checking ON against a known_hosts file written from the key this session verified (never
//   StrictHostKeyChecking=no). When OpenSSH cannot log in the way the session did (no key file, a sudo user, a
//   jump host), `nix-store --export | nix-store --store <root> --import` through the session itself.
// - Without Nix (rescue systems): one tar stream of the missing paths over the session (backpressure by the SSH
//   window) into a staging folder; each path is moved into the store only once complete, so a cut connection
//   leaves whole paths in the store and nothing half-written. The registration (`nix-store --dump-db`) goes to
//   `<root>/nix-path-registration`, which NixOS's stage 2 loads at first boot (and the install step in the chroot).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Transform } from 'node:stream';
import { EngineError } from '../../errors';
import { keyAlgorithm } from '../../ssh/known-hosts';
import type { Session } from '../../ssh/session';
import { dumpDb, formatBytes, type Closure } from '../closure';
import { isStreaming, NodeLocalRunner, type StreamingLocalRunner } from '../local-runner';
import { lastLines, localNix, storeArgs, type LocalNix } from '../nix-env';
import type {
  InstallOptions,
  InstallState,
  PlannedCommand,
  StepOutputs,
} from '../../../protocol/install-state';
import type { Step, StepContext } from '../plan';
import type { BuildOutputs } from './build';

export type CopyRoute = 'nix-copy' | 'nix-import' | 'tar' | 'on-target';

export interface CopyOutputs extends StepOutputs {
  route: CopyRoute;
  /** Paths this run sent, and those already there. */
  copied: number;
  skipped: number;
  bytes: number;
  /** `/nix-path-registration` under the root when the tar route wrote one. */
  registration?: string;
}

export const REGISTRATION = '/nix-path-registration';
const STAGE = '/nix/.nixkit-incoming';

/**
 * Runs on the target (POSIX sh, busybox ash too): finishes what an interrupted tar copy completed (paths marked
 * done in the staging folder move into the store), drops the rest, then prints which of the store paths on stdin
 * are not in `<root>/nix/store`. $1 = root.
 */
export const MISSING_SCRIPT = `set -u
root=$1; store=$root/nix/store; stage=$root${STAGE}
if [ -d "$stage" ]; then
  for m in "$stage"/.done-*; do
    [ -e "$m" ] || continue
    n=\${m##*/.done-}; p=$stage/nix/store/$n
    if { [ -e "$p" ] || [ -L "$p" ]; } && ! { [ -e "$store/$n" ] || [ -L "$store/$n" ]; }; then
      [ -d "$p" ] && [ ! -L "$p" ] && find "$p" -type d -exec chmod 0555 {} +
      mv "$p" "$store/$n" || exit 3
      echo "recovered /nix/store/$n" >&2
    fi
  done
  rm -rf "$stage" || exit 3
fi
while IFS= read -r p; do
  [ -e "$root$p" ] || [ -L "$root$p" ] || printf '%s\\n' "$p"
done`;

/**
 * Runs on the target with the tar stream on stdin: extracts into the staging folder, marks each path done as soon
 * as tar moves past it (tar -v names the next path only after the previous one is written), and when tar ends
 * cleanly moves every path into the store. Prints "done <name>" per path and "nixkit-copy-ok" at the end. $1 = root.
 *
 * tar's messages share the listing's pipe, in the order tar wrote them (GNU tar flushes its listing before each
 * message; busybox tar stops at its first error): after a message — a write that failed on a full disk — no path is
 * marked done any more, so a path tar could not write completely never reaches the store on a resume.
 */
export const RECEIVE_SCRIPT = `set -u
root=$1; store=$root/nix/store; stage=$root${STAGE}
mkdir -p "$store" "$stage/nix/store" || exit 3
{ tar -C "$stage" -xvf - 2>&1; echo "nixkit-tar-exit $?"; } | {
  trap '' PIPE
  prev=; bad=
  while IFS= read -r line; do
    case $line in
      'nixkit-tar-exit '*)
        rc=\${line#nixkit-tar-exit }
        [ "$rc" = 0 ] || exit "$rc"
        [ -n "$prev" ] && [ -z "$bad" ] && echo "done $prev"
        # tar finished without an error: every staged path is complete.
        for p in "$stage"/nix/store/*; do
          [ -e "$p" ] || [ -L "$p" ] || continue
          n=\${p##*/}
          if [ -e "$store/$n" ] || [ -L "$store/$n" ]; then rm -rf "$p"; else mv "$p" "$store/$n" || exit 3; fi
        done
        rm -rf "$stage"
        echo nixkit-copy-ok
        exit 0;;
      nix/store/*)
        n=\${line#nix/store/}; n=\${n%%/*}
        if [ "$n" != "$prev" ]; then
          [ -n "$prev" ] && [ -z "$bad" ] && : > "$stage/.done-$prev" && echo "done $prev"
          prev=$n
        fi;;
      *) printf '%s\\n' "$line" >&2; bad=1;;
    esac
  done
  exit 4
}`;

/**
 * Free space where the store goes (POSIX sh; busybox df too): `df -Pk` of the nearest existing folder of $1, its
 * last line (filesystem, 1K-blocks, used, available, capacity, mounted on).
 */
export const FREE_SPACE_SCRIPT = `d=$1
while [ ! -d "$d" ]; do d=\${d%/*}; [ -n "$d" ] || d=/; done
df -Pk "$d" | tail -n 1`;

/** Available bytes and mount point from a `df -Pk` line; undefined when it is not one. */
export function parseDfLine(line: string): { availableBytes: number; mountedOn: string } | undefined {
  const f = line.trim().split(/\s+/);
  // From the capacity column ("42%") on: the device name before it may hold spaces, the mount point after it too.
  const cap = f.findIndex((x, i) => i >= 4 && /^\d+%$/.test(x));
  if (cap < 0 || !/^\d+$/.test(f[cap - 1])) return undefined;
  return { availableBytes: Number(f[cap - 1]) * 1024, mountedOn: f.slice(cap + 1).join(' ') };
}

/** The free-space query for the store under `root` (argv[4] is that store folder). */
function roomCommand(root: string): PlannedCommand {
  const store = `${root.replace(/\/$/, '')}/nix/store`;
  return {
    where: 'target',
    argv: ['sh', '-c', FREE_SPACE_SCRIPT, 'nixkit-free', store],
    purpose: `check there is room in ${store} for the paths still to copy (nothing is sent when there is not)`,
  };
}

/**
 * Refuses before anything is sent when the paths still to copy cannot fit where the store goes (a copy that fills
 * the disk half-way helps nobody), and says so when they barely do (file system overhead is not in the NAR size).
 */
async function checkRoom(ctx: StepContext, count: number, bytes: number): Promise<void> {
  if (count === 0) return;
  const command = roomCommand(ctx.options.root);
  const store = command.argv[4];
  ctx.emit({ kind: 'command', command });
  const r = await ctx.session.execAsRoot(command.argv, { signal: ctx.signal, timeoutMs: 60_000 });
  const df = r.code === 0 ? parseDfLine(r.stdout.toString()) : undefined;
  if (!df) {
    ctx.emit({ kind: 'note', text: `could not tell the free space for ${store} (df said nothing usable)` });
    return;
  }
  const where = `${store} (on the file system mounted at ${df.mountedOn})`;
  if (df.availableBytes < bytes)
    throw new EngineError(
      'target-full',
      `Not enough space on the target: ${where} has ${formatBytes(df.availableBytes)} free, and the ${count} ` +
        `paths still to copy need about ${formatBytes(bytes)}. Nothing was copied. Make room there or choose a ` +
        `larger disk, then resume.`,
    );
  if (df.availableBytes < bytes * 1.2)
    ctx.emit({
      kind: 'note',
      text: `${where} has ${formatBytes(df.availableBytes)} free for ${formatBytes(bytes)}: it may not fit`,
    });
}

/** A copy that failed because the target's disk filled up gets that said, and what to do; else `fallback`. */
function fullDiskOr(ctx: StepContext, stderr: string, fallback: EngineError): EngineError {
  if (!/No space left on device/i.test(stderr)) return fallback;
  return new EngineError(
    'target-full',
    `The target's disk filled up during the copy (${ctx.session.redact(lastLines(stderr, 3))}). Paths completed ` +
      `so far stay in ${ctx.options.root}/nix/store; make room there (or choose a larger disk) and resume: only ` +
      `the rest is copied.`,
  );
}

/** Writes stdin to $1 atomically (temp file, then rename). */
const WRITE_FILE_SCRIPT =
  'set -e; mkdir -p "$(dirname "$1")"; cat > "$1.nixkit-tmp"; mv "$1.nixkit-tmp" "$1"';

function buildOutputs(ctx: { outputs: StepContext['outputs'] }): BuildOutputs {
  const b = ctx.outputs('build') as BuildOutputs | undefined;
  if (!b?.toplevel) throw new EngineError('no-build', 'Nothing to copy: the build step has not finished.');
  return b;
}

function knownHostsLine(session: Session): string {
  const key = session.hostKey;
  if (!key) throw new EngineError('no-host-key', 'The session has no verified host key to hand to OpenSSH.');
  const { host, port } = session.target;
  const name = port === 22 ? host : `[${host}]:${port}`;
  return `${name} ${keyAlgorithm(key)} ${key.toString('base64')}\n`;
}

/** Can OpenSSH (for `nix copy`) log in as the session did? Key file, root, no jump host, no spaces (NIX_SSHOPTS). */
function openSshIdentity(session: Session): string | undefined {
  const t = session.target;
  if (t.user !== 'root' || t.proxyJump.length > 0 || !session.hostKey) return undefined;
  const id = t.identityFiles.find((f) => fs.existsSync(f));
  if (!id || /\s/.test(id) || /\s/.test(os.tmpdir())) return undefined;
  return id;
}

export function nixSshOpts(port: number, identity: string, knownHosts: string): string {
  return [
    '-p',
    String(port),
    '-i',
    identity,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${knownHosts}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
  ].join(' ');
}

export function nixCopyUri(host: string, root: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `ssh://root@${h}?remote-store=${encodeURIComponent(`local?root=${root}`)}`;
}

const tarCreateArgv = (nix: LocalNix, rel: string[]) => [
  'tar',
  '-C',
  nix.root,
  '--owner=0',
  '--group=0',
  '--numeric-owner',
  '--hard-dereference',
  '-cf',
  '-',
  ...rel,
];

function describeRoute(o: InstallOptions, state: InstallState): CopyRoute | 'auto' {
  if (o.buildOn === 'target') return 'on-target';
  if (o.copyRoute === 'tar') return 'tar';
  if (o.copyRoute === 'nix-copy') return 'nix-copy';
  const nixThere = state.probe?.system?.nix?.present;
  if (nixThere === true) return 'nix-copy';
  if (nixThere === false) return 'tar';
  return 'auto';
}

export const copyStep: Step = {
  id: 'copy',
  title: 'Copy the system to the target',

  describe(options: InstallOptions, state: InstallState) {
    const nix = localNix(options);
    const built = state.steps.find((s) => s.id === 'build')?.outputs as BuildOutputs | undefined;
    const top = built?.toplevel ?? '<toplevel>';
    const root = options.root;
    const route = describeRoute(options, state);
    const missing: PlannedCommand = {
      where: 'target',
      argv: ['sh', '-c', MISSING_SCRIPT, 'nixkit-missing', root],
      purpose: 'finish an interrupted copy, then list the closure paths the target lacks (paths on stdin)',
    };
    if (route === 'on-target')
      return {
        id: 'copy',
        title: this.title,
        commands: [],
        skipped: 'the system was built on the target, into its store',
      };
    const room = roomCommand(root);
    const nixCmds: PlannedCommand[] = [
      room,
      {
        where: 'local',
        argv: [
          'nix',
          '--extra-experimental-features',
          'nix-command',
          'copy',
          '--no-check-sigs',
          ...(nix.store ? ['--from', nix.store] : []),
          '--to',
          nixCopyUri('<host>', root),
          top,
        ],
        purpose: `copy the closure into ${root}/nix/store with the target's Nix (NIX_SSHOPTS: host key checked against the verified key)`,
      },
    ];
    // After the missing paths are listed and the room checked:
    const tarSend: PlannedCommand[] = [
      {
        where: 'local',
        argv: tarCreateArgv(nix, ['<missing paths>']),
        purpose: 'archive the missing paths (streamed to the target)',
      },
      {
        where: 'target',
        argv: ['sh', '-c', RECEIVE_SCRIPT, 'nixkit-receive', root],
        purpose: `unpack into ${root}${STAGE}; each complete path moves into ${root}/nix/store`,
      },
      {
        where: 'local',
        argv: ['nix-store', ...storeArgs(nix), '--dump-db', '<closure paths>'],
        purpose: 'the registration of the closure for the target’s Nix database',
      },
      {
        where: 'target',
        argv: ['sh', '-c', WRITE_FILE_SCRIPT, 'nixkit-write', root + REGISTRATION],
        purpose: 'save it where NixOS loads it at first boot (nix-store --load-db)',
      },
    ];
    const commands =
      route === 'tar'
        ? [missing, room, ...tarSend]
        : route === 'nix-copy'
          ? nixCmds
          : [...nixCmds, missing, ...tarSend];
    return {
      id: 'copy',
      title: this.title,
      commands,
      ...(route === 'auto'
        ? { warnings: ['`nix copy` when the target has Nix, else a tar stream plus the registration'] }
        : {}),
    };
  },

  async run(ctx: StepContext): Promise<CopyOutputs> {
    const built = buildOutputs(ctx);
    if (built.storeSide === 'target')
      return { route: 'on-target', copied: 0, skipped: built.closure.paths.length, bytes: 0 };
    let route = describeRoute(ctx.options, ctx.state);
    if (route === 'auto') {
      const r = await ctx.session.execAsRoot(['sh', '-c', 'command -v nix-store'], {
        signal: ctx.signal,
        timeoutMs: 30_000,
      });
      route = r.code === 0 ? 'nix-copy' : 'tar';
    }
    if (route === 'nix-copy') return copyWithNix(ctx, built.closure);
    return copyWithTar(ctx, built.closure);
  },

  async verify(ctx: StepContext, outputs: StepOutputs) {
    const out = outputs as CopyOutputs;
    const built = buildOutputs(ctx);
    const missing = await missingOnTarget(
      ctx,
      built.closure.paths.map((p) => p.path),
      false,
    );
    if (missing.length > 0)
      throw new EngineError(
        'copy-incomplete',
        `${missing.length} of the closure's ${built.closure.paths.length} paths are not in ${ctx.options.root}/nix/store (first: ${missing[0]}).`,
      );
    if (out.route === 'tar') {
      const r = await ctx.session.execAsRoot(['test', '-s', ctx.options.root + REGISTRATION], {
        signal: ctx.signal,
      });
      if (r.code !== 0)
        throw new EngineError(
          'copy-incomplete',
          `The registration ${ctx.options.root}${REGISTRATION} is missing.`,
        );
    }
  },
};

/** The paths (of `paths`) not in the target's store; `recover` first finishes an interrupted tar copy. */
async function missingOnTarget(ctx: StepContext, paths: string[], announce: boolean): Promise<string[]> {
  const argv = ['sh', '-c', MISSING_SCRIPT, 'nixkit-missing', ctx.options.root];
  if (announce)
    ctx.emit({
      kind: 'command',
      command: { where: 'target', argv, purpose: 'list the closure paths the target lacks' },
    });
  const r = await ctx.session.execAsRoot(argv, {
    stdin: paths.join('\n') + '\n',
    signal: ctx.signal,
    timeoutMs: 5 * 60_000,
    onStderr: (c) => ctx.emit({ kind: 'output', stream: 'stderr', text: c.toString() }),
  });
  if (r.code !== 0)
    throw new EngineError(
      'copy-failed',
      `Checking the target's store failed (exit ${r.code}): ${ctx.session.redact(lastLines(r.stderr.toString(), 5))}`,
    );
  return r.stdout.toString().split('\n').filter(Boolean);
}

function streamingRunner(ctx: StepContext): StreamingLocalRunner {
  return isStreaming(ctx.local) ? ctx.local : new NodeLocalRunner();
}

async function copyWithTar(ctx: StepContext, closure: Closure): Promise<CopyOutputs> {
  const nix = localNix(ctx.options);
  const root = ctx.options.root;
  const all = closure.paths.map((p) => p.path);
  const missing = new Set(await missingOnTarget(ctx, all, true));
  const todo = closure.paths.filter((p) => missing.has(p.path));
  const total = todo.reduce((a, p) => a + p.narSize, 0);
  const skipped = all.length - todo.length;
  ctx.emit({
    kind: 'note',
    text: `${todo.length} of ${all.length} paths to copy (${formatBytes(total)}); ${skipped} already on the target`,
  });
  await checkRoom(ctx, todo.length, total);
  let bytes = 0;
  if (todo.length > 0) {
    const local = streamingRunner(ctx);
    const createArgv = tarCreateArgv(
      nix,
      todo.map((p) => p.path.slice(1)),
    );
    const receiveArgv = ['sh', '-c', RECEIVE_SCRIPT, 'nixkit-receive', root];
    ctx.emit({
      kind: 'command',
      command: { where: 'local', argv: createArgv, purpose: 'archive the missing paths' },
    });
    ctx.emit({
      kind: 'command',
      command: { where: 'target', argv: receiveArgv, purpose: `unpack into ${root}/nix/store, path by path` },
    });
    const tar = local.stream(createArgv, { env: nix.env, signal: ctx.signal });
    let lastEmit = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        bytes += chunk.length;
        const now = Date.now();
        if (now - lastEmit > 200) {
          lastEmit = now;
          ctx.emit({ kind: 'progress', unit: 'bytes', done: bytes, total });
        }
        cb(null, chunk);
      },
    });
    tar.stdout.pipe(counter);
    let donePaths = 0;
    let ok = false;
    let pending = '';
    const onStdout = (c: Buffer) => {
      pending += c.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('done ')) {
          donePaths++;
          ctx.emit({
            kind: 'progress',
            unit: 'paths',
            done: donePaths,
            total: todo.length,
            detail: line.slice(5),
          });
        } else if (line === 'nixkit-copy-ok') ok = true;
      }
    };
    let r;
    try {
      r = await ctx.session.execAsRoot(receiveArgv, {
        stdin: counter,
        signal: ctx.signal,
        onStdout,
        onStderr: (c) => ctx.emit({ kind: 'output', stream: 'stderr', text: c.toString() }),
        maxOutputBytes: 1024 * 1024 * 1024,
      });
    } finally {
      tar.kill();
    }
    const local_ = await tar.done.catch((e: Error) => ({
      code: -1,
      signal: null,
      stderr: Buffer.from(e.message),
    }));
    if (local_.code !== 0 && local_.signal === null)
      throw new EngineError(
        'copy-failed',
        `Archiving the closure on this machine failed (tar exit ${local_.code}): ${lastLines(local_.stderr.toString(), 5)}`,
      );
    if (r.code !== 0 || !ok)
      throw fullDiskOr(
        ctx,
        r.stderr.toString(),
        new EngineError(
          'copy-failed',
          `Unpacking on the target failed (exit ${r.code}): ${ctx.session.redact(lastLines(r.stderr.toString(), 5))}. ` +
            `Paths completed so far stay in place; resuming copies only the rest.`,
        ),
      );
    ctx.emit({ kind: 'progress', unit: 'bytes', done: bytes, total });
  }
  // The registration of the whole closure (small): loaded at first boot and by the install step's chroot.
  const db = await dumpDb(ctx.local, nix, all, ctx.signal);
  const writeArgv = ['sh', '-c', WRITE_FILE_SCRIPT, 'nixkit-write', root + REGISTRATION];
  ctx.emit({
    kind: 'command',
    command: {
      where: 'target',
      argv: writeArgv,
      purpose: `save the registration (${formatBytes(db.length)})`,
    },
  });
  const w = await ctx.session.execAsRoot(writeArgv, { stdin: db, signal: ctx.signal, timeoutMs: 5 * 60_000 });
  if (w.code !== 0)
    throw new EngineError(
      'copy-failed',
      `Writing ${root}${REGISTRATION} failed: ${ctx.session.redact(lastLines(w.stderr.toString(), 3))}`,
    );
  return { route: 'tar', copied: todo.length, skipped, bytes, registration: REGISTRATION };
}

async function copyWithNix(ctx: StepContext, closure: Closure): Promise<CopyOutputs> {
  const nix = localNix(ctx.options);
  const root = ctx.options.root;
  const all = closure.paths.map((p) => p.path);
  // Which paths the target's Nix already has (valid in its database, not just present).
  const checkArgv = ['xargs', 'nix-store', '--store', root, '--check-validity', '--print-invalid'];
  ctx.emit({
    kind: 'command',
    command: { where: 'target', argv: checkArgv, purpose: 'which closure paths the target lacks' },
  });
  const check = await ctx.session.execAsRoot(checkArgv, {
    stdin: all.join('\n') + '\n',
    signal: ctx.signal,
    timeoutMs: 5 * 60_000,
  });
  if (check.code !== 0)
    throw new EngineError(
      'copy-failed',
      `The target's nix-store could not check its store (exit ${check.code}): ${ctx.session.redact(lastLines(check.stderr.toString(), 4))}`,
    );
  const invalid = new Set(check.stdout.toString().split('\n').filter(Boolean));
  const todo = closure.paths.filter((p) => invalid.has(p.path));
  const total = todo.reduce((a, p) => a + p.narSize, 0);
  const skipped = all.length - todo.length;
  ctx.emit({
    kind: 'note',
    text: `${todo.length} of ${all.length} paths to copy (${formatBytes(total)}); ${skipped} already on the target`,
  });
  if (todo.length === 0) return { route: 'nix-copy', copied: 0, skipped, bytes: 0 };
  await checkRoom(ctx, todo.length, total);
  const identity = openSshIdentity(ctx.session);
  if (!identity) return importThroughSession(ctx, nix, todo, skipped, total);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-copy-'));
  try {
    const knownHosts = path.join(dir, 'known_hosts');
    fs.writeFileSync(knownHosts, knownHostsLine(ctx.session), { mode: 0o600 });
    const sshOpts = nixSshOpts(ctx.session.target.port, identity, knownHosts);
    const argv = [
      'nix',
      '--extra-experimental-features',
      'nix-command',
      'copy',
      '-v',
      '--no-check-sigs',
      ...(nix.store ? ['--from', nix.store] : []),
      '--to',
      nixCopyUri(ctx.session.target.host, root),
      ...todo.map((p) => p.path),
    ];
    ctx.emit({
      kind: 'command',
      command: { where: 'local', argv, purpose: `copy ${todo.length} paths with Nix` },
    });
    const sizes = new Map(todo.map((p) => [p.path, p.narSize]));
    let done = 0;
    let bytes = 0;
    let current: string | undefined;
    let pending = '';
    const finishCurrent = () => {
      if (current === undefined) return;
      done++;
      bytes += sizes.get(current) ?? 0;
      ctx.emit({ kind: 'progress', unit: 'paths', done, total: todo.length, detail: current });
      ctx.emit({ kind: 'progress', unit: 'bytes', done: bytes, total });
      current = undefined;
    };
    const r = await ctx.local.run(argv, {
      env: { ...nix.env, NIX_SSHOPTS: sshOpts },
      signal: ctx.signal,
      onStderr: (c) => {
        pending += c.toString();
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) {
          const m = /^copying path '(\/nix\/store\/[^']+)'/.exec(line);
          if (m && sizes.has(m[1])) {
            finishCurrent();
            current = m[1];
          } else if (line.trim()) ctx.emit({ kind: 'output', stream: 'stderr', text: line + '\n' });
        }
      },
    });
    if (r.code !== 0) {
      const text = lastLines(r.stderr.toString(), 6);
      if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(text))
        throw new EngineError(
          'host-key-changed',
          `OpenSSH (for nix copy) did not get the host key nixkit verified for ${ctx.session.target.host}: someone may be intercepting the connection. Nothing was accepted. (${text})`,
        );
      throw fullDiskOr(
        ctx,
        r.stderr.toString(),
        new EngineError('copy-failed', `nix copy failed (exit ${r.code}): ${text}`),
      );
    }
    finishCurrent();
    return { route: 'nix-copy', copied: todo.length, skipped, bytes: total };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `nix-store --export | nix-store --store <root> --import`, streamed through the session (any login, sudo). */
async function importThroughSession(
  ctx: StepContext,
  nix: LocalNix,
  todo: Closure['paths'],
  skipped: number,
  total: number,
): Promise<CopyOutputs> {
  const exportArgv = ['nix-store', ...storeArgs(nix), '--export', ...todo.map((p) => p.path)];
  const importArgv = ['nix-store', '--store', ctx.options.root, '--import'];
  ctx.emit({
    kind: 'command',
    command: { where: 'local', argv: exportArgv, purpose: 'export the missing paths' },
  });
  ctx.emit({
    kind: 'command',
    command: { where: 'target', argv: importArgv, purpose: 'import them into the target store' },
  });
  const exp = streamingRunner(ctx).stream(exportArgv, { env: nix.env, signal: ctx.signal });
  let bytes = 0;
  let last = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      if (Date.now() - last > 200) {
        last = Date.now();
        ctx.emit({ kind: 'progress', unit: 'bytes', done: bytes, total });
      }
      cb(null, chunk);
    },
  });
  exp.stdout.pipe(counter);
  let r;
  try {
    r = await ctx.session.execAsRoot(importArgv, {
      stdin: counter,
      signal: ctx.signal,
      maxOutputBytes: 64 * 1024 * 1024,
    });
  } finally {
    exp.kill();
  }
  const e = await exp.done.catch(() => ({ code: -1, signal: null, stderr: Buffer.alloc(0) }));
  if (e.code !== 0 && e.signal === null)
    throw new EngineError(
      'copy-failed',
      `nix-store --export failed (exit ${e.code}): ${lastLines(e.stderr.toString(), 4)}`,
    );
  if (r.code !== 0)
    throw fullDiskOr(
      ctx,
      r.stderr.toString(),
      new EngineError(
        'copy-failed',
        `nix-store --import on the target failed (exit ${r.code}): ${ctx.session.redact(lastLines(r.stderr.toString(), 4))}`,
      ),
    );
  ctx.emit({ kind: 'progress', unit: 'paths', done: todo.length, total: todo.length });
  return { route: 'nix-import', copied: todo.length, skipped, bytes };
}
