// `nixkit check` on repositories built to hurt it: files Nix would read that cannot be read (permission denied,
// `/dev/zero`, a FIFO, `/proc/self/mem`, a symlink loop, a 3 GB file), self-imports and 3,000-long import chains.
// Each run finishes with findings, never a stack trace; an unreadable import is one finding at the import and
// the rest of the check goes on. Runs the built CLI (dist/cli.js), as a user would.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, tempDir } from '../../helpers';

interface Diagnostic {
  file: string;
  range: { start: { line: number; character: number } };
  severity: string;
  code: string;
  message: string;
}

/** As root every file is readable: the CLI runs as nobody so that permissions mean what they say. */
const asNobody =
  process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];

function check(dir: string, ...args: string[]) {
  const r = spawnSync(
    asNobody[0] ?? process.execPath,
    [
      ...asNobody.slice(1),
      ...(asNobody.length ? [process.execPath] : []),
      CLI,
      'check',
      '--format',
      'json',
      ...args,
      '.',
    ],
    { cwd: dir, encoding: 'utf8', timeout: 60000, maxBuffer: 64 * 1024 * 1024 },
  );
  assert.equal(r.error, undefined, `the check finished (${r.error?.message})`);
  // A stack trace has lines such as "    at Foo (file.js:1:2)".
  assert.doesNotMatch(r.stderr, /^\s+at .+:\d+:\d+\)?$/m, r.stderr);
  assert.doesNotMatch(r.stdout, /^\s+at .+:\d+:\d+\)?$/m);
  const diagnostics = (JSON.parse(r.stdout) as { diagnostics: Diagnostic[] }).diagnostics;
  return { code: r.status, stderr: r.stderr, diagnostics };
}

function repo(files: Record<string, string>): string {
  const dir = tempDir('hostile');
  fs.chmodSync(dir, 0o755);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const where = (d: Diagnostic) => `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}`;

const CONFIG = (imports: string, extra = '') => `{ ... }:
{
  imports = [ ${imports} ];${extra}
  fileSystems."/" = { device = "/dev/sda1"; fsType = "ext4"; };
  boot.loader.grub.device = "nodev";
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostileReposTestKey0000000000000000000000 t" ];
  system.stateVersion = "24.11";
}
`;

test('an unreadable import is one finding at the import expression, and the rest of the check goes on', () => {
  const dir = repo({ 'configuration.nix': CONFIG('./secret.nix'), 'secret.nix': '{ }\n' });
  fs.chmodSync(path.join(dir, 'secret.nix'), 0o000);
  const r = check(dir);
  const unreadable = r.diagnostics.filter((d) => d.code === 'file-unreadable');
  assert.deepEqual(
    unreadable.map((d) => `${where(d)} ${d.severity} ${d.message}`),
    ['configuration.nix:3:15 error cannot read ./secret.nix: permission denied'],
  );
  // Another rule's finding in the same configuration is still there.
  assert.ok(
    r.diagnostics.some((d) => d.code === 'unstable-device-path'),
    JSON.stringify(r.diagnostics),
  );
  // Reported once: as a finding at the import, not again as an I/O error of the walk.
  assert.doesNotMatch(r.stderr, /secret\.nix/);
  assert.equal(r.code, 1);
});

test('a file nobody imports that cannot be read stays an I/O problem of the check (exit 2)', () => {
  const dir = repo({ 'configuration.nix': CONFIG(''), 'lonely.nix': '{ }\n' });
  fs.chmodSync(path.join(dir, 'lonely.nix'), 0o000);
  const r = check(dir);
  assert.match(r.stderr, /lonely\.nix: permission denied/);
  assert.equal(r.code, 2);
  assert.equal(r.diagnostics.filter((d) => d.code === 'file-unreadable').length, 0);
});

test('devices, FIFOs, /proc/self/mem and symlink loops: one finding each, no hang, no crash', () => {
  const dir = repo({
    'configuration.nix': CONFIG(
      './zero.nix ./fifo.nix ./loop.nix ./mem.nix',
      '\n  x = import /dev/zero;\n  y = builtins.readFile /proc/self/mem;\n  z = builtins.readFile /dev/stdin;',
    ),
  });
  fs.symlinkSync('/dev/zero', path.join(dir, 'zero.nix'));
  execFileSync('mkfifo', [path.join(dir, 'fifo.nix')]); // reading it without O_NONBLOCK would block forever
  fs.symlinkSync('loop.nix', path.join(dir, 'loop.nix'));
  fs.symlinkSync('/proc/self/mem', path.join(dir, 'mem.nix'));
  const r = check(dir);
  assert.deepEqual(
    r.diagnostics.filter((d) => d.code === 'file-unreadable').map((d) => `${where(d)} ${d.message}`),
    [
      'configuration.nix:3:15 cannot read ./zero.nix: not a regular file (a character device)',
      'configuration.nix:3:26 cannot read ./fifo.nix: not a regular file (a named pipe)',
      'configuration.nix:3:37 cannot read ./loop.nix: too many levels of symbolic links (a symlink loop)',
      'configuration.nix:3:48 cannot read ./mem.nix: input/output error',
      'configuration.nix:4:14 cannot read /dev/zero: not a regular file (a character device)',
      'configuration.nix:5:25 cannot read /proc/self/mem: input/output error',
      // (line 6 reads /dev/stdin: the input Nix is fed when it evaluates, not a file it cannot read)
    ],
  );
  assert.ok(r.diagnostics.some((d) => d.code === 'unstable-device-path'));
  assert.match(r.stderr, /skipped .*loop\.nix: a broken symlink or a symlink loop/);
  // The walk itself never opens them either, and says why they were left out.
  assert.match(r.stderr, /skipped .*fifo\.nix: not a regular file \(a named pipe\)/);
  assert.match(r.stderr, /skipped .*zero\.nix: not a regular file \(a character device\)/);
  assert.equal(r.code, 1);
});

test('a 3 GB import is refused from its size, before a byte is read', () => {
  const dir = repo({ 'configuration.nix': CONFIG('./huge.nix') });
  // Sparse: takes no disk space, but reading it whole (as before) takes minutes and more memory than Node has.
  fs.writeFileSync(path.join(dir, 'huge.nix'), '');
  fs.truncateSync(path.join(dir, 'huge.nix'), 3 * 1024 ** 3);
  const r = check(dir);
  const big = r.diagnostics.filter((d) => d.file === 'huge.nix');
  assert.deepEqual(
    big.map((d) => `${d.code} ${d.message}`),
    ['file-too-large file is too large to check (3072.0 MB; the limit is 4.0 MB)'],
  );
  // What the huge module sets is unknown: rules about something missing stay silent, others still report.
  assert.ok(r.diagnostics.some((d) => d.code === 'unstable-device-path'));
  assert.equal(
    r.diagnostics.filter((d) => d.code === 'root-filesystem-missing' || d.code === 'bootloader-missing')
      .length,
    0,
  );
});

test('a secret encrypted with git-crypt is one note, not a syntax error, and what it holds stays unknown', () => {
  const dir = repo({
    'configuration.nix': CONFIG(
      './secrets',
      '\n  users.users.root.hashedPassword = (import ./secrets/pass.nix).root;',
    ),
  });
  fs.mkdirSync(path.join(dir, 'secrets'));
  // git-crypt's header, then ciphertext (NULs and bytes that are not UTF-8)
  const cipher = Buffer.concat([
    Buffer.from('\0GITCRYPT\0', 'latin1'),
    Buffer.from([0x8a, 0x00, 0xff, 0xfe, 0x12]),
  ]);
  fs.writeFileSync(path.join(dir, 'secrets', 'default.nix'), cipher);
  fs.writeFileSync(path.join(dir, 'secrets', 'pass.nix'), cipher);
  const r = check(dir);
  const secret = r.diagnostics.filter((d) => d.file.startsWith('secrets/'));
  assert.deepEqual(
    secret.map((d) => `${d.file} ${d.severity} ${d.code}`),
    ['secrets/default.nix information file-encrypted', 'secrets/pass.nix information file-encrypted'],
  );
  assert.match(secret[0].message, /encrypted with git-crypt/);
  // an unknown password hash is no lockout and no invalid hash; the rules about the rest still run
  assert.equal(r.diagnostics.filter((d) => /password|lockout/.test(d.code)).length, 0);
  assert.ok(r.diagnostics.some((d) => d.code === 'unstable-device-path'));
});

test('a secret encrypted with age (git-agecrypt, binary or armored) is one note each, not errors', () => {
  const dir = repo({
    'configuration.nix': CONFIG(
      './secrets',
      '\n  users.users.root.hashedPassword = (import ./secrets/pass.nix).root;',
    ),
  });
  fs.mkdirSync(path.join(dir, 'secrets'));
  fs.writeFileSync(
    path.join(dir, 'secrets', 'default.nix'),
    Buffer.concat([
      Buffer.from('age-encryption.org/v1\n-> X25519 q0Zb0mR3dLrQ6k1hJ2x5vVb9\nZmFrZQ\n--- 3bq2Y8d0x1\n'),
      Buffer.from([0x8a, 0x00, 0xff, 0xfe, 0x12]),
    ]),
  );
  fs.writeFileSync(
    path.join(dir, 'secrets', 'pass.nix'),
    '-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOQ==\n-----END AGE ENCRYPTED FILE-----\n',
  );
  const r = check(dir);
  const secret = r.diagnostics.filter((d) => d.file.startsWith('secrets/'));
  assert.deepEqual(
    secret.map((d) => `${d.file} ${d.severity} ${d.code}`),
    ['secrets/default.nix information file-encrypted', 'secrets/pass.nix information file-encrypted'],
  );
  assert.match(secret[0].message, /encrypted with age/);
  assert.equal(r.diagnostics.filter((d) => /password|lockout/.test(d.code)).length, 0);
});

test('a definition holding a huge shared or self-referring structure (the whole flake in specialArgs) ends', () => {
  // ten names per level, each the same set one level down: 10^16 paths to walk, built in 16 steps
  const dir = repo({
    'configuration.nix': CONFIG(
      '',
      `
  home-manager.extraSpecialArgs = let mk = n: if n == 0 then { leaf = 1; } else let c = mk (n - 1); in
    builtins.listToAttrs (map (i: { name = "k\${toString i}"; value = c; }) (builtins.genList (i: i) 10));
  in mk 16;
  _module.args.loop = let r = { self = r; again = r; }; in r;`,
    ),
  });
  const started = Date.now();
  const r = check(dir);
  assert.ok(
    r.diagnostics.some((d) => d.code === 'unstable-device-path'),
    'the rules still ran',
  );
  // no timing asserted (busy machines); the check returning at all is the point, and the test timeout bounds it
  assert.ok(Date.now() - started < 60_000);
});

test('a symlinked folder loop and a self-import end: the walk notes the loop, the import is followed once', () => {
  const dir = repo({
    'configuration.nix': CONFIG('./configuration.nix ./hosts'),
    'hosts/default.nix': '{ ... }: { imports = [ ../configuration.nix ./default.nix ]; }\n',
  });
  fs.symlinkSync(dir, path.join(dir, 'hosts', 'back'));
  fs.symlinkSync(path.join(dir, 'hosts', 'b'), path.join(dir, 'hosts', 'a'));
  fs.symlinkSync(path.join(dir, 'hosts', 'a'), path.join(dir, 'hosts', 'b'));
  const r = check(dir);
  assert.deepEqual(
    r.diagnostics.map((d) => d.code).sort(),
    ['unstable-device-path'],
    JSON.stringify(r.diagnostics),
  );
  assert.match(r.stderr, /symlink back to a folder already checked/);
  assert.equal(r.code, 0);
});

test('3,000-long import chains (imports lists and import expressions) finish with the chain end known or unknown, never a crash', () => {
  const files: Record<string, string> = {};
  const N = 3000;
  for (let i = 0; i < N; i++) {
    files[`chain/m${i}.nix`] =
      i + 1 < N
        ? `{ ... }: { imports = [ ./m${i + 1}.nix ]; }\n`
        : `{ ... }: { fileSystems."/data" = { device = "/dev/sdc1"; fsType = "ext4"; }; }\n`;
    files[`expr/e${i}.nix`] = i + 1 < N ? `import ./e${i + 1}.nix\n` : `"/dev/sdb1"\n`;
  }
  files['configuration.nix'] = CONFIG(
    './chain/m0.nix',
    '\n  swapDevices = [ { device = import ./expr/e0.nix; } ];',
  );
  const dir = repo(files);
  const r = check(dir);
  // The module chain is followed to its end (a queue, no recursion); the expression chain is cut off by the
  // evaluator's depth bound, so its value is unknown and nothing is said about it.
  assert.deepEqual(
    r.diagnostics.map((d) => `${d.file} ${d.code}`).sort(),
    ['chain/m2999.nix unstable-device-path', 'configuration.nix unstable-device-path'],
    JSON.stringify(r.diagnostics.slice(0, 5)),
  );
  assert.equal(r.code, 0);
});
