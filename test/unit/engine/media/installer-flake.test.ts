// `nixkit media build` offline: nixpkgs cannot be fetched here, so what is tested is everything before the build:
// the generated flake parses (nix-instantiate --parse), nixkit's own `check` finds nothing in it, hostile key
// comments survive as data (evaluated back by Nix), the user's locked nixpkgs node is copied unchanged, and the
// exact `nix build` argv is formed (run in the installer's folder, so a hostile folder path never enters it).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  InstallerBuildError,
  findNixpkgs,
  nixString,
  parsePublicKeys,
  planInstallerBuild,
  runInstallerBuild,
  writeInstallerFlake,
} from '../../../../engine/media/installer-flake';
import { CLI, tempDir } from '../../../helpers';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZm';
const HOSTILE_COMMENT = 'me@"host" ${builtins.abort "pwned"} $${x} \\ \'\' `$(touch /tmp/pwned)`';
const LOCKED = {
  lastModified: 1717000000,
  narHash: 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  owner: 'NixOS',
  repo: 'nixpkgs',
  rev: '0123456789abcdef0123456789abcdef01234567',
  type: 'github',
};

/** A user flake whose nixpkgs input is called `pkgs` (found by its URL, not its name), in a hostile folder. */
function userFlake(): { dir: string; key: string } {
  const dir = path.join(tempDir('media-build'), `my "flake" $(id) #1?x`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    '{\n  inputs.pkgs.url = "github:NixOS/nixpkgs/nixos-24.05";\n  outputs = { pkgs, ... }: { };\n}\n',
  );
  fs.writeFileSync(
    path.join(dir, 'flake.lock'),
    JSON.stringify({
      nodes: {
        nixpkgs_2: {
          locked: LOCKED,
          original: { owner: 'NixOS', ref: 'nixos-24.05', repo: 'nixpkgs', type: 'github' },
        },
        root: { inputs: { pkgs: 'nixpkgs_2' } },
      },
      root: 'root',
      version: 7,
    }),
  );
  const key = path.join(dir, 'id_ed25519.pub');
  fs.writeFileSync(key, `${KEY} ${HOSTILE_COMMENT}\n`);
  return { dir, key };
}

test('nixString: Nix reads back exactly the text, whatever it holds', () => {
  for (const s of [HOSTILE_COMMENT, '${x}', '$${x}', '\\${x}', '"', '\\', 'a\nb\tc\r', "''${x}"]) {
    const out = execFileSync('nix-instantiate', ['--eval', '--json', '--expr', nixString(s)], {
      encoding: 'utf8',
    });
    assert.equal(JSON.parse(out), s, nixString(s));
  }
});

for (const kind of ['iso', 'kexec', 'netboot'] as const) {
  test(`--kind ${kind}: flake parses, the key evaluates back to the file's line, the lock is the user's node`, async () => {
    const { dir, key } = userFlake();
    const plan = await planInstallerBuild({ kind, flakeDir: dir, sshKeyFile: key });
    assert.equal(plan.outDir, path.join(dir, '.nixkit', 'installer'));
    assert.deepEqual(plan.nixpkgs, { url: 'github:NixOS/nixpkgs/nixos-24.05', source: 'flake.lock' });
    assert.deepEqual(plan.argv, [
      'nix',
      '--extra-experimental-features',
      'nix-command flakes',
      'build',
      '--print-build-logs',
      '--print-out-paths',
      '--out-link',
      `result-${kind}`,
      `path:.#packages.x86_64-linux.${kind}`,
    ]);
    writeInstallerFlake(plan);
    const flake = path.join(plan.outDir, 'flake.nix');
    execFileSync('nix-instantiate', ['--parse', flake], { stdio: 'pipe' });
    // The key list, evaluated by Nix from the generated text: the hostile comment is data.
    const text = fs.readFileSync(flake, 'utf8');
    const list = /authorizedKeys\.keys = (\[[^\]]*\]);/.exec(text);
    assert.ok(list, text);
    const keys = JSON.parse(
      execFileSync('nix-instantiate', ['--eval', '--json', '--expr', list[1]], { encoding: 'utf8' }),
    );
    assert.deepEqual(keys, [`${KEY} ${HOSTILE_COMMENT}`]);
    assert.match(text, /services\.openssh\.enable = true;/);
    assert.match(text, new RegExp(`packages\\.\\$\\{system\\}\\.${kind} = `));
    const lock = JSON.parse(fs.readFileSync(path.join(plan.outDir, 'flake.lock'), 'utf8'));
    assert.deepEqual(lock.nodes.nixpkgs.locked, LOCKED);
    assert.deepEqual(lock.nodes.root, { inputs: { nixpkgs: 'nixpkgs' } });
    // nixkit's own checker: no findings in what nixkit wrote.
    const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'json', flake], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as { files?: { diagnostics?: unknown[] }[]; diagnostics?: unknown[] };
    const findings = (report.files ?? [])
      .flatMap((f) => f.diagnostics ?? [])
      .concat(report.diagnostics ?? []);
    assert.deepEqual(findings, []);
  });
}

test('the build runs the planned argv in the installer folder and streams its log', async () => {
  const { dir, key } = userFlake();
  const plan = await planInstallerBuild({ kind: 'iso', flakeDir: dir, sshKeyFile: key });
  writeInstallerFlake(plan);
  // A stand-in `nix` on PATH records its cwd and arguments (the real one would need nixpkgs from the network).
  const bin = tempDir('fake-nix');
  fs.writeFileSync(
    path.join(bin, 'nix'),
    '#!/bin/sh\npwd > "$NIXKIT_FAKE_OUT"; printf "%s\\n" "$@" >> "$NIXKIT_FAKE_OUT"; echo "building x" >&2; echo /nix/store/abc-iso\n',
    { mode: 0o755 },
  );
  const rec = path.join(bin, 'rec');
  const lines: string[] = [];
  const result = await runInstallerBuild(plan, {
    onLine: (l) => lines.push(l),
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NIXKIT_FAKE_OUT: rec },
  });
  assert.equal(result.ok, true, result.summary);
  assert.deepEqual(result.outPaths, ['/nix/store/abc-iso']);
  assert.deepEqual(lines, ['building x']);
  assert.deepEqual(fs.readFileSync(rec, 'utf8').trimEnd().split('\n'), [
    fs.realpathSync(plan.outDir),
    ...plan.argv.slice(1),
  ]);
});

test('without a lock, the URL from flake.nix; without either, the default, said so', () => {
  const d = tempDir('media-build-nolock');
  fs.writeFileSync(
    path.join(d, 'flake.nix'),
    '{ inputs = { nixpkgs.url = "github:NixOS/nixpkgs/nixos-23.11"; }; outputs = _: { }; }',
  );
  assert.deepEqual(findNixpkgs(d), { url: 'github:NixOS/nixpkgs/nixos-23.11', source: 'flake.nix' });
  // A fork called nixpkgs is not nixpkgs.
  fs.writeFileSync(
    path.join(d, 'flake.nix'),
    '{ inputs.nixpkgs.url = "github:someone/other"; outputs = _: { }; }',
  );
  assert.equal(findNixpkgs(d).source, 'default');
});

test('keys: a private key, options, control characters and an empty file are refused', () => {
  assert.throws(() => parsePublicKeys('-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n', 'k'), /PRIVATE/);
  assert.throws(() => parsePublicKeys(`command="x" ${KEY}\n`, 'k'), InstallerBuildError);
  assert.throws(() => parsePublicKeys(`${KEY} a\x1bb\n`, 'k'), /control character/);
  assert.throws(() => parsePublicKeys('# only a comment\n\n', 'k'), /no public key/);
  assert.deepEqual(parsePublicKeys(`# mine\n${KEY} a b\r\n${KEY}\n`, 'k'), [`${KEY} a b`, KEY]);
});

test('CLI: --dry-run writes the flake and prints the command, shell-quoted; a missing flake is a clear error', () => {
  const { dir, key } = userFlake();
  const r = spawnSync(
    process.execPath,
    [CLI, 'media', 'build', '--kind', 'netboot', '--ssh-key', key, '--flake', dir, '--dry-run'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(
    r.stdout.includes(
      `build: (cd '${path.join(dir, '.nixkit', 'installer').replace(/'/g, `'\\''`)}' && nix --extra-experimental-features 'nix-command flakes' build --print-build-logs --print-out-paths --out-link result-netboot 'path:.#packages.x86_64-linux.netboot')`,
    ),
    r.stdout,
  );
  assert.ok(fs.existsSync(path.join(dir, '.nixkit', 'installer', 'flake.nix')));
  const bad = spawnSync(
    process.execPath,
    [CLI, 'media', 'build', '--kind', 'iso', '--ssh-key', key, '--flake', tempDir('empty')],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /has no flake\.nix/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /);
  const usage = spawnSync(process.execPath, [CLI, 'media', 'build', '--kind', 'floppy'], {
    encoding: 'utf8',
  });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--kind is iso, kexec or netboot \(got "floppy"\)/);
});
