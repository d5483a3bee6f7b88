// `nixkit media netboot DIR`: serves a netboot set (a kernel, an initrd, an iPXE script or a kernel command line)
// over HTTP for iPXE, and says what to add to an existing PXE server. The server answers for the set's files only
// (a fixed table of names, so no request path can reach anything else), GET and HEAD, with single byte ranges as
// iPXE and curl use them, plus /nixkit.ipxe: the script it writes, chain-loading the set's own script or booting
// the kernel with the command line. Runs until stop().
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type {
  NetbootRequestEvent,
  NetbootServeOptions,
  NetbootServerInfo,
  NetbootSet,
} from '../../protocol/media-boot';

/** The names a netboot set's files go by, in order of preference (NixOS: bzImage, initrd, netboot.ipxe). */
export const KERNEL_NAMES = ['bzImage', 'vmlinuz', 'kernel'];
export const INITRD_NAMES = ['initrd', 'initrd.img', 'initrd.gz', 'initramfs.img'];
export const SCRIPT_NAMES = ['netboot.ipxe'];
/** The script nixkit serves (it is generated, never a file of the set). */
export const NIXKIT_SCRIPT = 'nixkit.ipxe';

export class NetbootError extends Error {}

/** A kernel command line that is safe to put into an iPXE script line: one line, printable, bounded. */
export function checkCmdline(cmdline: string): string | null {
  if (cmdline.length > 4096) return 'the kernel command line is longer than 4096 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(cmdline))
    return 'the kernel command line holds a control character (a newline would start a new iPXE command)';
  return null;
}

function regularFile(dir: string, name: string): string | null {
  const p = path.join(dir, name);
  try {
    // stat follows symlinks: a Nix build's result/ links into the store.
    return fs.statSync(p).isFile() ? fs.realpathSync(p) : null;
  } catch {
    return null;
  }
}

/** Finds and checks the set's files; throws NetbootError with a sentence when something is missing. */
export function validateNetbootSet(
  dir: string,
  cmdlineOption?: string,
): NetbootSet & { paths: Map<string, string> } {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    throw new NetbootError(`cannot read ${JSON.stringify(dir)}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (!st.isDirectory()) throw new NetbootError(`${JSON.stringify(dir)} is not a folder`);
  const paths = new Map<string, string>();
  const pick = (names: string[]) => {
    for (const n of names) {
      const real = regularFile(dir, n);
      if (real) {
        paths.set(n, real);
        return n;
      }
    }
    return null;
  };
  const kernel = pick(KERNEL_NAMES);
  const initrd = pick(INITRD_NAMES);
  const script = pick(SCRIPT_NAMES);
  if (!kernel)
    throw new NetbootError(`no kernel in ${JSON.stringify(dir)} (looked for ${KERNEL_NAMES.join(', ')})`);
  if (!initrd)
    throw new NetbootError(`no initrd in ${JSON.stringify(dir)} (looked for ${INITRD_NAMES.join(', ')})`);
  let cmdline: string | null = cmdlineOption ?? null;
  if (cmdline === null) {
    const file = regularFile(dir, 'cmdline');
    if (file) cmdline = fs.readFileSync(file, 'utf8').replace(/\n+$/, '');
  }
  if (cmdline !== null) {
    const bad = checkCmdline(cmdline);
    if (bad) throw new NetbootError(bad);
  }
  if (!script && cmdline === null)
    throw new NetbootError(
      `${JSON.stringify(dir)} has no netboot.ipxe: give the kernel command line (--cmdline, or a file named cmdline)`,
    );
  if (script) {
    const head = fs.readFileSync(paths.get(script)!, 'utf8').slice(0, 6);
    if (head !== '#!ipxe')
      throw new NetbootError(`${script} is not an iPXE script (it must start with #!ipxe)`);
  }
  return { dir, kernel, initrd, script, cmdline, paths };
}

/**
 * The script nixkit serves as /nixkit.ipxe. Names are relative: iPXE resolves them against the script's own URL,
 * so the script works whatever address the client reached the server by.
 */
export function nixkitScript(set: NetbootSet): string {
  if (set.script && set.cmdline === null)
    return `#!ipxe\n# written by nixkit: the set's own script\nchain ${set.script}\n`;
  // The EFI stub wants initrd=NAME on the command line; BIOS iPXE ignores it.
  return [
    '#!ipxe',
    '# written by nixkit media netboot',
    `kernel ${set.kernel} initrd=${set.initrd} ${set.cmdline ?? ''}`.trimEnd(),
    `initrd ${set.initrd}`,
    'boot',
    '',
  ].join('\n');
}

/** "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT"; throws NetbootError on anything else. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65535)
    throw new NetbootError(
      `--listen wants ADDR:PORT (e.g. 0.0.0.0:8080 or 127.0.0.1:0), got ${JSON.stringify(text)}`,
    );
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** The address a client on the network uses: the listening one, or this machine's first IPv4 for 0.0.0.0. */
export function clientHost(listenHost: string): string {
  if (listenHost !== '0.0.0.0' && listenHost !== '::')
    return listenHost.includes(':') ? `[${listenHost}]` : listenHost;
  for (const addrs of Object.values(os.networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

/** Lines for an existing PXE server: BIOS and UEFI PXE get iPXE over TFTP, iPXE then chain-loads scriptUrl. */
export function pxeConfig(scriptUrl: string): { dnsmasq: string; iscDhcpd: string } {
  const dnsmasq = `# dnsmasq: PXE firmware gets iPXE over TFTP; iPXE (DHCP option 175) gets nixkit's script over HTTP.
# Put undionly.kpxe and ipxe.efi (Debian package ipxe: /usr/lib/ipxe/) into tftp-root.
enable-tftp
tftp-root=/srv/tftp
dhcp-match=set:ipxe,175
dhcp-match=set:efi64,option:client-arch,7
dhcp-match=set:efi64,option:client-arch,9
dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe
dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi
dhcp-boot=tag:ipxe,${scriptUrl}
# with another DHCP server on the network, add: dhcp-range=<your subnet>,proxy`;
  const iscDhcpd = `# ISC dhcpd: in the subnet (or host) block that serves the machines to boot
option arch code 93 = unsigned integer 16;   # at the top level
next-server <TFTP server address>;            # holds undionly.kpxe and ipxe.efi
if exists user-class and option user-class = "iPXE" {
  filename "${scriptUrl}";
} elsif option arch = 00:07 or option arch = 00:09 {
  filename "ipxe.efi";
} else {
  filename "undionly.kpxe";
}`;
  return { dnsmasq, iscDhcpd };
}

/** One byte range of a file of `size` bytes, from a Range header; null = serve whole, 'unsatisfiable' = 416. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or another unit: the whole file (a server may ignore Range).
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  let start: number;
  let end: number;
  if (a === '') {
    const n = Number(b);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
    if (b !== '' && Number(b) < start) return null; // syntactically invalid: ignored, as RFC 9110 says
  }
  if (start >= size || size === 0) return 'unsatisfiable';
  return { start, end };
}

export interface NetbootServer extends NetbootServerInfo {
  /** Closes the listening socket and every open connection. */
  stop(): Promise<void>;
}

/** Validates the set, listens, and serves until stop(). Throws NetbootError (bad set, address in use). */
export async function startNetbootServer(
  options: NetbootServeOptions,
  onRequest?: (event: NetbootRequestEvent) => void,
): Promise<NetbootServer> {
  const { paths, ...set } = validateNetbootSet(options.dir, options.cmdline);
  const { host, port } = parseListen(options.listen);
  const script = nixkitScript(set);
  const served = new Map<string, { file?: string; text?: string; type: string }>();
  for (const [name, file] of paths)
    served.set(name, {
      file,
      type: name.endsWith('.ipxe') ? 'text/plain; charset=utf-8' : 'application/octet-stream',
    });
  served.set(NIXKIT_SCRIPT, { text: script, type: 'text/plain; charset=utf-8' });

  const server = http.createServer((req, res) => {
    let bytes = 0;
    const done = (status: number) =>
      onRequest?.({
        method: req.method ?? '?',
        path: (req.url ?? '').slice(0, 300),
        status,
        bytes,
        remote: req.socket.remoteAddress ?? '?',
      });
    const fail = (status: number, text: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
      res.end(req.method === 'HEAD' ? undefined : text + '\n');
      done(status);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return fail(405, 'GET or HEAD only', { Allow: 'GET, HEAD' });
    // The path is looked up as a whole in a table of names: "..", "%2e%2e", "//" or an absolute path match nothing.
    const pathname = (req.url ?? '').split('?')[0];
    const name = pathname.startsWith('/') ? pathname.slice(1) : null;
    const entry = name !== null && served.has(name) ? served.get(name)! : undefined;
    if (pathname === '/') return fail(200, [...served.keys()].map((n) => `/${n}`).join('\n'));
    if (!entry) return fail(404, 'not part of this netboot set');
    let size: number;
    let body: Buffer | undefined;
    if (entry.text !== undefined) {
      body = Buffer.from(entry.text, 'utf8');
      size = body.length;
    } else {
      try {
        size = fs.statSync(entry.file!).size;
      } catch {
        return fail(404, 'the file is gone');
      }
    }
    const range = parseRange(req.headers.range, size);
    if (range === 'unsatisfiable')
      return fail(416, 'range not satisfiable', { 'Content-Range': `bytes */${size}` });
    const start = range ? range.start : 0;
    const end = range ? range.end : size - 1;
    const headers: Record<string, string> = {
      'Content-Type': entry.type,
      'Accept-Ranges': 'bytes',
      'Content-Length': String(Math.max(0, end - start + 1)),
      'Cache-Control': 'no-store',
    };
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    const status = range ? 206 : 200;
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return done(status);
    }
    if (body) {
      bytes = end - start + 1;
      res.end(body.subarray(start, end + 1));
      return done(status);
    }
    const stream = fs.createReadStream(entry.file!, { start, end });
    stream.on('data', (c) => (bytes += c.length));
    stream.on('error', () => res.destroy());
    stream.on('end', () => done(status));
    stream.pipe(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new NetbootError(`cannot listen on ${options.listen}: ${e.code ?? e.message}`)),
    );
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const baseUrl = `http://${clientHost(host)}:${addr.port}/`;
  const scriptUrl = `${baseUrl}${NIXKIT_SCRIPT}`;
  const files = [...served.entries()].map(([n, e]) => ({
    name: n,
    size: e.text !== undefined ? Buffer.byteLength(e.text) : fs.statSync(e.file!).size,
  }));
  let stopped: Promise<void> | undefined;
  return {
    set,
    host,
    port: addr.port,
    baseUrl,
    scriptUrl,
    files,
    pxeConfig: pxeConfig(scriptUrl),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
