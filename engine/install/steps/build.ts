// The build step (steps/index.ts holds the order): build the system's toplevel —
// `nixosConfigurations.<name>.config.system.build.toplevel` of the flake, or the Nix file the options name (tests: a
// closure of plain derivations) — on this machine, on the target (into its /mnt store, from the derivations copied
// there) or on a build host; then list its closure with sizes.
import { EngineError } from '../../errors';
import { shJoin } from '../../ssh/quote';
import { isStorePath, queryClosure, formatBytes, type Closure } from '../closure';
import { lastLines, localNix, nixOut, storeArgs, type LocalNix } from '../nix-env';
import type { InstallOptions, PlannedCommand, StepOutputs } from '../../../protocol/install-state';
import type { Step, StepContext } from '../plan';

export interface BuildOutputs extends StepOutputs {
  toplevel: string;
  /** 'local', 'target' or the build host's name. */
  builtOn: string;
  /** The store the closure now lives in: 'local' (this machine's, see options.localNix) or 'target'. */
  storeSide: 'local' | 'target';
  closure: Closure;
}

const NIX_FLAKES = ['--extra-experimental-features', 'nix-command flakes'];

/**
 * The OpenSSH options Nix adds to its own ssh for ssh:// and ssh-ng:// stores: NIX_SSHOPTS as the local commands
 * see it (the options' environment over nixkit's), split on whitespace as Nix splits it. nixkit's own ssh to the
 * build host takes them too, as nixos-rebuild's does, so one ssh configuration (identity, known_hosts) reaches
 * every connection to that host.
 */
export function nixSshOptsFromEnv(env: Record<string, string>): string[] {
  return (env.NIX_SSHOPTS ?? process.env.NIX_SSHOPTS ?? '').split(/[ \t\n\r]+/).filter(Boolean);
}

/**
 * A build host as ssh and Nix's ssh-ng:// take it: `[user@]host` or an ssh config alias. Nix passes the host to
 * ssh before its own options, so a name starting with "-" would be read as an option (-oProxyCommand=...);
 * "/", "?" or spaces would change the store URI.
 */
function checkBuildHost(host: string): void {
  if (!/^[A-Za-z0-9_.@:[\]-]+$/.test(host) || host.startsWith('-'))
    throw new EngineError(
      'bad-build-host',
      `"${host}" is not a build host name ([user@]host or an ssh alias).`,
    );
}

/**
 * The build host's own ssh runs the build: with the build host's Nix configuration (its build users, sandbox,
 * substituters), as nixos-rebuild --build-host does. A realise through `--store ssh-ng://host` would instead send
 * this machine's settings along, which a daemon that trusts the user (root) applies.
 */
export function buildHostRealiseArgv(host: string, drv: string, env: Record<string, string>): string[] {
  return ['ssh', ...nixSshOptsFromEnv(env), '--', host, shJoin(['nix-store', '--realise', drv])];
}

/** `nixosConfigurations."name"`: an attribute name Nix accepts whatever characters the name has. */
export function toplevelAttr(configuration: string): string {
  const name = /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(configuration)
    ? configuration
    : `"${configuration.replace(/[\\"$]/g, (c) => '\\' + c)}"`;
  return `nixosConfigurations.${name}.config.system.build.toplevel`;
}

function exprArgs(o: InstallOptions): string[] {
  const e = o.buildExpr!;
  const args: string[] = [e.file];
  if (e.attr) args.push('-A', e.attr);
  for (const [k, v] of Object.entries(e.argstr ?? {})) args.push('--argstr', k, v);
  for (const [k, v] of Object.entries(e.arg ?? {})) args.push('--arg', k, v);
  return args;
}

/** The local command that builds the toplevel and prints its path. */
export function buildArgv(o: InstallOptions, nix: LocalNix): string[] {
  if (o.buildExpr) return ['nix-build', ...storeArgs(nix), ...exprArgs(o), '--no-out-link'];
  return [
    'nix',
    ...NIX_FLAKES,
    'build',
    ...storeArgs(nix),
    '--no-link',
    '--print-out-paths',
    `${o.flake}#${toplevelAttr(o.configuration)}`,
  ];
}

/** The local command that evaluates the toplevel's derivation (for building elsewhere). */
export function instantiateArgv(o: InstallOptions, nix: LocalNix): string[] {
  if (o.buildExpr) return ['nix-instantiate', ...storeArgs(nix), ...exprArgs(o)];
  return [
    'nix',
    ...NIX_FLAKES,
    'eval',
    ...storeArgs(nix),
    '--raw',
    `${o.flake}#${toplevelAttr(o.configuration)}.drvPath`,
  ];
}

function lastStorePath(out: Buffer, what: string): string {
  const lines = out.toString().trim().split('\n');
  const p = lines[lines.length - 1]?.trim() ?? '';
  if (!isStorePath(p))
    throw new EngineError('build-failed', `${what} printed no store path (got "${p.slice(0, 200)}").`);
  return p;
}

/** $1 = root, $2 = toplevel: present under the root, and valid in the root's Nix database. */
const CHECK_TARGET_SCRIPT = 'test -e "$1$2" && nix-store --store "$1" --check-validity "$2"';

const cmd = (where: 'local' | 'target', argv: string[], purpose: string): PlannedCommand => ({
  where,
  argv,
  purpose,
});

export const buildStep: Step = {
  id: 'build',
  title: 'Build the system',

  describe(options: InstallOptions) {
    const nix = localNix(options);
    const what = options.buildExpr
      ? `${options.buildExpr.file}${options.buildExpr.attr ? ' -A ' + options.buildExpr.attr : ''}`
      : `${options.flake}#${toplevelAttr(options.configuration)}`;
    const closureCmds = (where: 'local' | 'target', store: string[]) => [
      cmd(where, ['nix-store', ...store, '-qR', '<toplevel>'], 'list the closure'),
      where === 'local'
        ? cmd(where, ['nix-store', ...store, '-q', '--size', '<closure paths>'], 'size the closure')
        : cmd(where, ['xargs', 'nix-store', ...store, '-q', '--size'], 'size the closure (paths on stdin)'),
    ];
    if (options.buildOn === 'local') {
      return {
        id: 'build',
        title: 'Build the system on this machine',
        commands: [
          cmd('local', buildArgv(options, nix), `build ${what}`),
          ...closureCmds('local', storeArgs(nix)),
        ],
      };
    }
    if (options.buildOn === 'target') {
      const rootStore = ['--store', options.root];
      return {
        id: 'build',
        title: 'Build the system on the target',
        commands: [
          cmd('local', instantiateArgv(options, nix), `evaluate ${what} to its derivation`),
          cmd('local', ['nix-store', ...storeArgs(nix), '-qR', '<derivation>'], 'list the derivations'),
          cmd(
            'local',
            ['nix-store', ...storeArgs(nix), '--export', '<derivations>'],
            'export the derivations (piped to the target)',
          ),
          cmd(
            'target',
            ['nix-store', ...rootStore, '--import'],
            `import the derivations into ${options.root}`,
          ),
          cmd('target', ['nix-store', ...rootStore, '--realise', '<derivation>'], 'build on the target'),
          ...closureCmds('target', rootStore),
        ],
      };
    }
    const host = options.buildOn.host;
    return {
      id: 'build',
      title: `Build the system on ${host}`,
      commands: [
        cmd('local', instantiateArgv(options, nix), `evaluate ${what} to its derivation`),
        cmd(
          'local',
          [
            'nix',
            ...NIX_FLAKES,
            'copy',
            ...storeArgs(nix).map((a) => (a === '--store' ? '--from' : a)),
            '--derivation',
            '--to',
            `ssh-ng://${host}`,
            '<derivation>',
          ],
          `copy the derivations to ${host}`,
        ),
        cmd('local', buildHostRealiseArgv(host, '<derivation>', nix.env), `build on ${host}`),
        cmd(
          'local',
          [
            'nix',
            ...NIX_FLAKES,
            'copy',
            '--no-check-sigs',
            '--from',
            `ssh-ng://${host}`,
            ...(nix.store ? ['--to', nix.store] : []),
            '<toplevel>',
          ],
          `fetch the result from ${host}`,
        ),
        ...closureCmds('local', storeArgs(nix)),
      ],
    };
  },

  async run(ctx: StepContext): Promise<BuildOutputs> {
    const o = ctx.options;
    const nix = localNix(o);
    // Before anything runs: a name ssh would take for an option never reaches it.
    if (typeof o.buildOn === 'object') checkBuildHost(o.buildOn.host);
    const stream = (s: 'stdout' | 'stderr') => (c: Buffer) =>
      ctx.emit({ kind: 'output', stream: s, text: c.toString() });
    const local = async (argv: string[], purpose: string, stdin?: Buffer): Promise<Buffer> => {
      ctx.emit({ kind: 'command', command: cmd('local', argv, purpose) });
      return nixOut(ctx.local, nix, argv, purpose[0].toUpperCase() + purpose.slice(1), {
        onStderr: stream('stderr'),
        signal: ctx.signal,
        stdin,
      });
    };
    let toplevel: string;
    let builtOn: string;
    let closure: Closure;
    let storeSide: 'local' | 'target' = 'local';
    if (o.buildOn === 'local') {
      toplevel = lastStorePath(await local(buildArgv(o, nix), 'build the system'), 'The build');
      builtOn = 'local';
      closure = await queryClosure(ctx.local, nix, toplevel, ctx.signal);
    } else {
      const drv = lastStorePath(
        await local(instantiateArgv(o, nix), 'evaluate the system'),
        'The evaluation',
      );
      if (o.buildOn === 'target') {
        const drvs = (await local(['nix-store', ...storeArgs(nix), '-qR', drv], 'list the derivations'))
          .toString()
          .split('\n')
          .filter(Boolean);
        const exported = await local(
          ['nix-store', ...storeArgs(nix), '--export', ...drvs],
          'export the derivations',
        );
        const rootStore = ['--store', o.root];
        const run = async (argv: string[], purpose: string, stdin?: Buffer) => {
          ctx.emit({ kind: 'command', command: cmd('target', argv, purpose) });
          const r = await ctx.session.execAsRoot(argv, {
            stdin,
            signal: ctx.signal,
            onStderr: stream('stderr'),
            maxOutputBytes: 256 * 1024 * 1024,
          });
          if (r.code !== 0)
            throw new EngineError(
              'build-failed',
              `${purpose} on the target failed (exit ${r.code}): ${ctx.session.redact(lastLines(r.stderr.toString(), 8))}`,
            );
          return r.stdout;
        };
        await run(['nix-store', ...rootStore, '--import'], 'Importing the derivations', exported);
        toplevel = lastStorePath(
          await run(['nix-store', ...rootStore, '--realise', drv], 'Building'),
          'The build',
        );
        const paths = (await run(['nix-store', ...rootStore, '-qR', toplevel], 'Listing the closure'))
          .toString()
          .split('\n')
          .filter(Boolean);
        const odd = paths.find((p) => !isStorePath(p));
        if (odd !== undefined)
          throw new EngineError('bad-closure', `nix-store listed "${odd}", which is not a store path.`);
        // The paths go on stdin, not the command line: a remote command is one `sh -c` argument, which Linux
        // caps at 128 KiB — about 2,500 store paths, fewer than a desktop system's closure has.
        const sizes = (
          await run(
            ['xargs', 'nix-store', ...rootStore, '-q', '--size'],
            'Sizing the closure',
            Buffer.from(paths.join('\n') + '\n'),
          )
        )
          .toString()
          .split('\n')
          .filter(Boolean)
          .map(Number);
        if (sizes.length !== paths.length || sizes.some((n) => !Number.isFinite(n)))
          throw new EngineError(
            'bad-closure',
            `nix-store gave ${sizes.length} sizes for ${paths.length} paths.`,
          );
        const list = paths.map((path, i) => ({ path, narSize: sizes[i] }));
        closure = { toplevel, paths: list, totalBytes: list.reduce((a, p) => a + p.narSize, 0) };
        builtOn = 'target';
        storeSide = 'target';
      } else {
        const host = o.buildOn.host;
        await local(
          [
            'nix',
            ...NIX_FLAKES,
            'copy',
            ...(nix.store ? ['--from', nix.store] : []),
            '--derivation',
            '--to',
            `ssh-ng://${host}`,
            drv,
          ],
          `copy the derivations to ${host}`,
        );
        toplevel = lastStorePath(
          await local(buildHostRealiseArgv(host, drv, nix.env), `build on ${host}`),
          'The build',
        );
        await local(
          [
            'nix',
            ...NIX_FLAKES,
            'copy',
            '--no-check-sigs',
            '--from',
            `ssh-ng://${host}`,
            ...(nix.store ? ['--to', nix.store] : []),
            toplevel,
          ],
          `fetch the result from ${host}`,
        );
        builtOn = host;
        closure = await queryClosure(ctx.local, nix, toplevel, ctx.signal);
      }
    }
    ctx.emit({
      kind: 'note',
      text: `built ${toplevel}: ${closure.paths.length} paths, ${formatBytes(closure.totalBytes)}`,
    });
    return { toplevel, builtOn, storeSide, closure };
  },

  async verify(ctx: StepContext, outputs: StepOutputs) {
    const out = outputs as BuildOutputs;
    if (!out.toplevel || !isStorePath(out.toplevel))
      throw new EngineError('build-failed', 'The build left no toplevel.');
    if (out.storeSide === 'target') {
      // Valid in the root's Nix database, not just present: an interrupted build or copy leaves files behind.
      // Nix is asked only when the path is there, so a root that is not mounted gets no store created in it.
      const r = await ctx.session.execAsRoot(
        ['sh', '-c', CHECK_TARGET_SCRIPT, 'nixkit-check-build', ctx.options.root, out.toplevel],
        { signal: ctx.signal, timeoutMs: 5 * 60_000 },
      );
      if (r.code !== 0)
        throw new EngineError(
          'build-missing',
          `${out.toplevel} is not (or no longer) a valid path in the target's store under ${ctx.options.root}.`,
        );
      return;
    }
    const nix = localNix(ctx.options);
    const r = await ctx.local.run(['nix-store', ...storeArgs(nix), '--check-validity', out.toplevel], {
      env: nix.env,
      signal: ctx.signal,
    });
    if (r.code !== 0)
      throw new EngineError(
        'build-missing',
        `${out.toplevel} is no longer valid in the local store (collected?).`,
      );
  },
};
