// `nixkit media <subcommand>`: installer media. Only the dispatch lives here; each subcommand is its own module
// (media-test-command.ts, media-netboot-command.ts, media-build-command.ts; `write` and `list` join this table).
import type * as MediaBuild from './media-build-command';
import type * as MediaNetboot from './media-netboot-command';
import type * as MediaTest from './media-test-command';
import type * as Remote from './remote-commands';
import { EXIT_OK, EXIT_USAGE, type CliIO, type Subcommand } from './io';

export const MEDIA_USAGE = `usage: nixkit media <subcommand> [options]
  list             the disks an image may be written to, here or on an SSH target (--host), and why not
  write IMAGE      write an image to a USB stick or SD card (--device ID), verified by reading it back
  test IMAGE       boot an image in a VM (QEMU: OVMF or SeaBIOS) and report how far it got
  netboot DIR      serve a netboot set (bzImage, initrd, netboot.ipxe) over HTTP for iPXE
  build            build your own installer (iso, kexec or netboot) with your SSH key, with Nix
  Run \`nixkit media <subcommand> --help\` for its options.`;

const subcommands: Record<string, Subcommand> = {
  // list and write use the SSH engine (ssh2): they live in the remote bundle.
  list: (args, io) => (require('./remote-commands') as typeof Remote).mediaListCommand(args, io),
  write: (args, io) => (require('./remote-commands') as typeof Remote).mediaWriteCommand(args, io),
  test: (args, io) => (require('./media-test-command') as typeof MediaTest).mediaTestCommand(args, io),
  netboot: (args, io) =>
    (require('./media-netboot-command') as typeof MediaNetboot).mediaNetbootCommand(args, io),
  build: (args, io) => (require('./media-build-command') as typeof MediaBuild).mediaBuildCommand(args, io),
};

export async function mediaCommand(args: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout(MEDIA_USAGE + '\n');
    return EXIT_OK;
  }
  const sub = name !== undefined && Object.hasOwn(subcommands, name) ? subcommands[name] : undefined;
  if (!sub) {
    io.stderr(
      `nixkit media: ${name === undefined ? 'name a subcommand' : `unknown subcommand '${name}'`}\n${MEDIA_USAGE}\n`,
    );
    return EXIT_USAGE;
  }
  return sub(rest, io);
}
