// The `nixkit` command (dist/cli.js, package.json bin): the same engine as the extension, outside VS Code.
import { checkCommand, CHECK_USAGE } from './check-command';
import { hwconfigCommand } from './hwconfig-command';
import { installCommand } from './install-command';
import { probeCommand } from './probe-command';
import { EXIT_USAGE, type CliIO, type Subcommand } from './io';

const VERSION = '0.1.0';

const USAGE = `nixkit ${VERSION}: NixOS install configurations, checked and installed

usage: nixkit <command> [options]

commands:
  check PATH...     check .nix files and folders (--format text|json|sarif)
  probe TARGET      report the target's hardware over SSH (--json for the versioned report)
  hwconfig PROBE    write hardware-configuration.nix from a saved probe (nixkit probe --json)
  install           install a flake's configuration onto a host over SSH (--dry-run prints the plan)
  lsp               run the language server over stdio (for Neovim, Helix, Emacs, ...)
  version           print the version

${CHECK_USAGE}
`;

const commands: Record<string, Subcommand> = {
  check: checkCommand,
  probe: probeCommand,
  hwconfig: hwconfigCommand,
  install: installCommand,
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

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version') return commands.version(rest, io);
  const command = commands[name];
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
