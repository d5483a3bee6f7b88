// `nixkit media netboot DIR [--listen ADDR:PORT] [--cmdline TEXT]`: serves the netboot set over HTTP until Ctrl-C,
// printing the iPXE script URL, the lines for an existing PXE server and one line per request.
import * as path from 'node:path';
import { NetbootError, startNetbootServer } from '../engine/media/netboot';
import { parseFlags } from './flags';
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, type CliIO } from './io';

export const MEDIA_NETBOOT_USAGE = `usage: nixkit media netboot DIR [--listen ADDR:PORT] [--cmdline TEXT]
  Serves the netboot set in DIR (bzImage, initrd, and netboot.ipxe or a kernel command line, e.g. NixOS's
  netboot build) over HTTP for iPXE, until Ctrl-C. Clients chain-load http://ADDR:PORT/nixkit.ipxe; the lines to
  add to an existing dnsmasq or ISC dhcpd PXE setup are printed.
  --listen ADDR:PORT   where to listen (default 0.0.0.0:8080; port 0 picks a free one)
  --cmdline TEXT       the kernel command line (when DIR has no netboot.ipxe; else it replaces that script)
  Exit status: 0 stopped by Ctrl-C, 1 the set or the address is unusable, 2 usage.`;

export async function mediaNetbootCommand(args: string[], io: CliIO): Promise<number> {
  const parsed = parseFlags(
    'media netboot',
    MEDIA_NETBOOT_USAGE,
    args,
    io,
    { listen: { type: 'string' }, cmdline: { type: 'string' } },
    true,
  );
  if (typeof parsed === 'number') return parsed;
  if (parsed.positionals.length !== 1) {
    io.stderr(`nixkit media netboot: name one DIR\n${MEDIA_NETBOOT_USAGE}\n`);
    return EXIT_USAGE;
  }
  const dir = path.resolve(io.cwd, parsed.positionals[0]);
  let server;
  try {
    server = await startNetbootServer(
      { dir, listen: parsed.values.listen ?? '0.0.0.0:8080', cmdline: parsed.values.cmdline },
      (r) =>
        io.stdout(
          `${new Date().toISOString()} ${r.remote} ${r.method} ${JSON.stringify(r.path)} ${r.status} ${r.bytes} bytes\n`,
        ),
    );
  } catch (e) {
    if (!(e instanceof NetbootError)) throw e;
    io.stderr(`nixkit media netboot: ${e.message}\n`);
    return EXIT_FINDINGS;
  }
  io.stdout(
    [
      `serving ${JSON.stringify(dir)} on ${server.host}:${server.port}`,
      ...server.files.map((f) => `  ${server.baseUrl}${f.name}  (${f.size} bytes)`),
      '',
      `iPXE:  chain ${server.scriptUrl}`,
      '',
      server.pxeConfig.dnsmasq,
      '',
      server.pxeConfig.iscDhcpd,
      '',
      'Ctrl-C stops the server.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.stop();
  io.stdout('stopped\n');
  return EXIT_OK;
}
