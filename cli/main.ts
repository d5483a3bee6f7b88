// The `nixkit` command (dist/cli.js, package.json bin): the same engine as the extension, outside VS Code.
// This file is only the dispatcher. Each command's code is loaded when that command runs: in dist/ the imports
// below become their own bundles (scripts/build.mjs: cli-check.js, cli-remote.js, server.js), so `nixkit version`
// loads nothing else and `nixkit check` never loads ssh2 or the install engine.
import type * as Check from './check-command';
import { CHECK_USAGE } from './check-usage';
import { requireWithCodeCache } from './code-cache';
import type * as Media from './media-command';
import type * as Remote from './remote-commands';
import { EXIT_USAGE, type CliIO, type Subcommand } from './io';

const VERSION = '0.1.0';

const USAGE = `nixkit ${VERSION}: NixOS install configurations, checked and installed

usage: nixkit <command> [options]

commands:
  check PATH...     check .nix files and folders (--format text|json|sarif)
  probe TARGET      report the target's hardware over SSH (--json for the versioned report)
  hwconfig PROBE    write hardware-configuration.nix from a saved probe (nixkit probe --json)
  install           install a flake's configuration onto a host over SSH (--dry-run prints the plan)
  media             installer media: list, write (a USB stick, here or over SSH), test (boot in a VM), netboot, build
  rescue TARGET     from the rescue system: why an installed NixOS does not come back; roll back, run, resume
  lsp               run the language server over stdio (for Neovim, Helix, Emacs, ...)
  version           print the version

${CHECK_USAGE}
`;

// Plain require(), not import(): Node loads an import()ed CommonJS file through its ESM loader, which first scans
// the whole bundle for its exports (about 0.3 s of CPU for cli-check.js).
const commands: Record<string, Subcommand> = {
  check: (args, io) => {
    tuneV8ForOneRun();
    const check = requireWithCodeCache(['cli-check.js'], () => require('./check-command') as typeof Check);
    return check.checkCommand(args, io);
  },
  probe: (args, io) => (require('./remote-commands') as typeof Remote).probeCommand(args, io),
  hwconfig: (args, io) => (require('./remote-commands') as typeof Remote).hwconfigCommand(args, io),
  install: (args, io) => (require('./remote-commands') as typeof Remote).installCommand(args, io),
  media: (args, io) => (require('./media-command') as typeof Media).mediaCommand(args, io),
  rescue: (args, io) => (require('./remote-commands') as typeof Remote).rescueCommand(args, io),
  lsp: async () => {
    // The server takes over stdin/stdout until the client says exit.
    process.argv.push('--stdio');
    require('../server/lsp/main');
    return new Promise<number>(() => undefined);
  },
  version: async (_args, io) => {
    io.stdout(`nixkit ${VERSION}\n`);
    return 0;
  },
};

/**
 * V8 tuned for one short run rather than a long-lived process (the language server keeps the defaults):
 * - tree-sitter's WebAssembly stays on the baseline compiler (Liftoff): optimising its large lexer costs about
 *   0.1 s of CPU and gains nothing, as tree-sitter now only reads files with syntax errors;
 * - JavaScript is optimised later (a larger interrupt budget): by default V8's optimising compiler spent about
 *   0.9 s of CPU in its background threads on a 3,000-file check, much of it on functions that ran only a few
 *   more times; with 400 KB the check takes about a third less CPU and less wall time on 300 and 3,000 files
 *   (`npm run bench`, rows "nixkit check (cold)").
 * Set before the first module of the check is compiled.
 */
function tuneV8ForOneRun(): void {
  const v8 = require('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString('--liftoff-only');
  v8.setFlagsFromString('--interrupt-budget=400000');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version') return commands.version(rest, io);
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.stderr(`nixkit: unknown command '${name}'\n\n${USAGE}`);
    return EXIT_USAGE;
  }
  return command(rest, io);
}

if (require.main === module) {
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`nixkit: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}
