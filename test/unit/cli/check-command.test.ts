import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { main } from '../../../cli/main';
import { CLI, tempDir, tempTree } from '../../helpers';

async function run(args: string[], cwd: string) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    env: {},
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

function workspace(): string {
  const dir = tempDir('check');
  fs.mkdirSync(path.join(dir, 'hosts/a'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'flake.nix'), '{ outputs = { self }: { }; }\n');
  fs.writeFileSync(
    path.join(dir, 'hosts/a/module.nix'),
    '{ ... }:\n{\n  networking.hostName = "a"\n  boot.loader.grub.enable = true;\n}\n',
  );
  fs.writeFileSync(path.join(dir, 'hosts/a/notes.txt'), 'not nix {');
  fs.mkdirSync(path.join(dir, '.git'));
  fs.writeFileSync(path.join(dir, '.git/broken.nix'), '{');
  fs.mkdirSync(path.join(dir, 'node_modules/x'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules/x/broken.nix'), '{');
  fs.mkdirSync(path.join(dir, 'store/out'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'store/out/broken.nix'), '{');
  fs.symlinkSync(path.join(dir, 'store/out'), path.join(dir, 'result'));
  fs.symlinkSync(dir, path.join(dir, 'hosts/loop')); // a symlink loop back to the root
  fs.rmSync(path.join(dir, 'store'), { recursive: true }); // now `result` is dangling too
  return dir;
}

test('json output follows the contract: version 1, 0-based ranges, files relative to the current folder', async () => {
  const dir = workspace();
  const r = await run(['check', '--format', 'json', '.'], dir);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout);
  assert.equal(out.version, 1);
  assert.deepEqual(out.diagnostics, [
    {
      file: 'hosts/a/module.nix',
      range: { start: { line: 2, character: 27 }, end: { line: 2, character: 27 } },
      severity: 'error',
      code: 'syntax-error',
      message: "expected ';' (the next line starts a new binding)",
    },
  ]);
  assert.match(r.stderr, /symlink back to a folder already checked/);
});

test('text output is file:line:col: severity [code] message, 1-based, with a summary', async () => {
  const dir = workspace();
  const r = await run(['check', 'hosts', 'flake.nix'], dir);
  assert.equal(r.code, 1);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(
    lines[0],
    "hosts/a/module.nix:3:28: error [syntax-error] expected ';' (the next line starts a new binding)",
  );
  assert.equal(lines[1], '1 error, 0 warnings in 2 files checked');
});

test('sarif output is SARIF 2.1.0 with rules and 1-based regions', async () => {
  const dir = workspace();
  const r = await run(['check', '--format', 'sarif', '.'], dir);
  const sarif = JSON.parse(r.stdout);
  assert.equal(sarif.version, '2.1.0');
  const run0 = sarif.runs[0];
  assert.equal(run0.tool.driver.name, 'nixkit');
  assert.deepEqual(
    run0.tool.driver.rules.map((x: { id: string }) => x.id),
    ['syntax-error'],
  );
  const res = run0.results[0];
  assert.equal(res.ruleId, 'syntax-error');
  assert.equal(res.level, 'error');
  assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'hosts/a/module.nix');
  assert.deepEqual(res.locations[0].physicalLocation.region, {
    startLine: 3,
    startColumn: 28,
    endLine: 3,
    endColumn: 28,
  });
});

test('exit codes: 0 when clean, 2 for usage problems and missing paths', async () => {
  const dir = tempDir('clean');
  fs.writeFileSync(path.join(dir, 'ok.nix'), '{ a = 1; }\n');
  assert.equal((await run(['check', 'ok.nix'], dir)).code, 0);
  assert.equal((await run(['check'], dir)).code, 2);
  assert.equal((await run(['check', '--format', 'xml', 'ok.nix'], dir)).code, 2);
  assert.equal((await run(['frobnicate'], dir)).code, 2);
  const missing = await run(['check', 'nope.nix'], dir);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.nix: no such file or folder/);
});

test('binary files, invalid UTF-8, too-large and empty files get one clear finding each', async () => {
  const dir = tempDir('bad');
  fs.writeFileSync(path.join(dir, 'binary.nix'), Buffer.from([0x7b, 0x00, 0x01, 0x7d]));
  fs.writeFileSync(path.join(dir, 'latin1.nix'), Buffer.from('{ a = "caf\xe9"; }', 'latin1'));
  fs.writeFileSync(path.join(dir, 'empty.nix'), '');
  fs.writeFileSync(path.join(dir, 'big.nix'), '{ ' + 'a = 1; '.repeat(300_000) + '}');
  const r = await run(['check', '--format', 'json', '--max-file-size', '1000000', '.'], dir);
  const byFile = new Map<
    string,
    { code: string; severity: string; range: { start: { line: number; character: number } } }[]
  >();
  for (const d of JSON.parse(r.stdout).diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), d]);
  // Nix 2.8 reads up to the NUL (its end of input) and stops there (1:2); so does nixkit.
  assert.deepEqual(
    byFile.get('binary.nix')?.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`),
    ['syntax-error 0:1'],
  );
  assert.deepEqual(
    byFile.get('latin1.nix')?.map((d) => `${d.severity}:${d.code}`),
    ['information:invalid-utf8'],
  );
  assert.deepEqual(
    byFile.get('empty.nix')?.map((d) => d.code),
    ['syntax-error'],
  );
  assert.deepEqual(
    byFile.get('big.nix')?.map((d) => `${d.severity}:${d.code}`),
    ['warning:file-too-large'],
  );
  assert.equal(r.code, 1);
});

test('an unreadable file is an I/O problem: exit 2 with a clear message, other files still checked', () => {
  const dir = tempDir('unreadable');
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, 'ok.nix'), '{ }\n');
  fs.writeFileSync(path.join(dir, 'secret.nix'), '{ }\n');
  fs.chmodSync(path.join(dir, 'secret.nix'), 0o000);
  // As root every file is readable: run the CLI as nobody to see the real refusal.
  const asNobody =
    process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const r = spawnSync(
    asNobody[0] ?? process.execPath,
    [...asNobody.slice(1), ...(asNobody.length ? [process.execPath] : []), CLI, 'check', '.'],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 20000,
    },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /secret\.nix: permission denied/);
  assert.match(r.stdout, /in 1 file checked/);
});

test('hundreds of symlinks to folders already checked are summed up; dangling links that are not .nix are not ours', async () => {
  const dir = tempDir('check-links');
  fs.mkdirSync(path.join(dir, 'sops/machines/a'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'flake.nix'), '{ outputs = { self }: { }; }\n');
  for (let i = 0; i < 10; i++) {
    fs.mkdirSync(path.join(dir, `vars/v${i}`), { recursive: true });
    fs.symlinkSync(path.join(dir, 'sops/machines/a'), path.join(dir, `vars/v${i}/a`));
  }
  fs.symlinkSync(path.join(dir, 'gone.qml'), path.join(dir, 'Panel.qml'));
  fs.symlinkSync(path.join(dir, 'gone.nix'), path.join(dir, 'host.nix'));
  const r = await run(['check', '.'], dir);
  const notes = r.stderr.trimEnd().split('\n');
  assert.equal(notes.filter((l) => /a symlink back to a folder already checked/.test(l)).length, 3, r.stderr);
  assert.ok(
    notes.includes('nixkit check: note: skipped 7 more symlinks back to folders already checked'),
    r.stderr,
  );
  assert.ok(
    notes.some((l) => /host\.nix: a broken symlink/.test(l)),
    r.stderr,
  );
  assert.ok(!/Panel\.qml/.test(r.stderr), r.stderr);
});

test('a configuration.nix that only files nixkit does not know import (a split NixOps network) is named in a note', async () => {
  const dir = tempDir('check-unfollowed');
  fs.mkdirSync(path.join(dir, 'hosts/web'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'ops'));
  fs.writeFileSync(
    path.join(dir, 'hosts/web/configuration.nix'),
    '{ ... }: { networking.hostName = "web"; }\n',
  );
  fs.writeFileSync(path.join(dir, 'ops/web.nix'), '{ web = import ../hosts/web/configuration.nix; }\n');
  fs.writeFileSync(
    path.join(dir, 'ops/web-ip.nix'),
    '{ web = { ... }: { deployment.targetHost = "10.0.0.1"; }; }\n',
  );
  const r = await run(['check', '.'], dir);
  assert.equal(r.code, 0);
  assert.match(
    r.stderr,
    /note: \S*hosts\/web\/configuration\.nix is not checked: \S*ops\/web\.nix imports it, so it is not a machine of its own/,
  );
  assert.match(r.stdout, /no NixOS machine found/);
});

test('a nix-darwin configuration.nix and a template are named in notes, not checked as machines', async () => {
  const dir = tempDir('check-not-nixos');
  fs.mkdirSync(path.join(dir, 'mac'));
  fs.mkdirSync(path.join(dir, 'templates'));
  fs.writeFileSync(path.join(dir, 'mac/configuration.nix'), '{ ... }: { homebrew.enable = true; }\n');
  fs.writeFileSync(path.join(dir, 'templates/configuration.nix'), '{ ... }: { imports = [ ./hw.nix ]; }\n');
  const r = await run(['check', '.'], dir);
  assert.equal(r.code, 0, r.stdout);
  assert.match(
    r.stderr,
    /note: \S*mac\/configuration\.nix is not checked: it is a nix-darwin configuration \(it sets homebrew\), not NixOS/,
  );
  assert.match(
    r.stderr,
    /note: \S*templates\/configuration\.nix is not checked: it lies in a templates folder/,
  );
  assert.match(r.stdout, /no NixOS machine found/);
});

test("a template flake's nixosConfigurations is named in a note as a template, not as a builder not followed", async () => {
  const dir = tempTree('check-template-flake', {
    'flake.nix':
      '{\n  outputs = { self }: {\n    templates.server = { path = ./skel/server; description = "a server"; };\n  };\n}\n',
    'skel/server/flake.nix':
      '{\n  outputs = { nixpkgs, ... }: {\n    nixosConfigurations.server = nixpkgs.lib.nixosSystem { modules = [ ]; };\n  };\n}\n',
  });
  const r = await run(['check', '.'], dir);
  assert.equal(r.code, 0, r.stdout);
  assert.match(
    r.stderr,
    /note: \S*skel\/server\/flake\.nix:3 is not checked: it lies in a template's folder \(server\): a skeleton to copy, not a machine/,
  );
});

test('where no machine is found, files that mention building NixOS systems are named in a note', async () => {
  const dir = tempDir('check-unknown-builder');
  fs.mkdirSync(path.join(dir, 'hosts/box'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'hosts/box/default.nix'),
    '{ config }:\n{\n  config.systems.nixos.box.modules = [ ./machine.nix ];\n}\n',
  );
  fs.writeFileSync(path.join(dir, 'hosts/box/machine.nix'), '{ ... }: { networking.hostName = "box"; }\n');
  // a comment, and a script written to a file, that mention eval-config.nix build no machine here
  fs.writeFileSync(
    path.join(dir, 'script.nix'),
    "{ pkgs }:\n# uses nixos/lib/eval-config.nix\npkgs.writeText \"x\" ''\n  import ${pkgs.path}/nixos/lib/eval-config.nix { }\n''\n",
  );
  // a package named like a builder, and a folder named nixos: no build either
  fs.writeFileSync(
    path.join(dir, 'browser.nix'),
    '{ pkgs, homeDir }: {\n  icon = "${pkgs.nixos-icons}/share/icons/nix.svg";\n  "${homeDir}/nixos" = "write";\n}\n',
  );
  // an editor's setting: the text of a string (nixd's options expression), not a build
  fs.writeFileSync(
    path.join(dir, 'editor.nix'),
    '{ ... }: {\n  lsp.nixd.options.nixos.expr = "(import <nixpkgs/nixos> { configuration = { }; }).options";\n}\n',
  );
  const r = await run(['check', '.'], dir);
  assert.doesNotMatch(r.stderr, /script\.nix|editor\.nix|browser\.nix/);
  assert.equal(r.code, 0, r.stdout);
  assert.match(
    r.stderr,
    /note: \S*hosts\/box\/default\.nix:3 is not checked: it mentions systems\.nixos, but no machine nixkit found is built from it: nixkit does not follow how it builds NixOS machines/,
  );
});

test('beside machines nixkit found, a file no machine reads that builds NixOS systems is named in a note', async () => {
  const dir = tempDir('check-unfollowed-builder');
  fs.mkdirSync(path.join(dir, 'desk'));
  fs.writeFileSync(path.join(dir, 'desk/configuration.nix'), '{ ... }: { networking.hostName = "desk"; }\n');
  fs.writeFileSync(
    path.join(dir, 'fleet.nix'),
    'let pkgs = import <nixpkgs> { }; in {\n  edge = pkgs.nixos [ ./edge.nix ];\n}\n',
  );
  fs.writeFileSync(path.join(dir, 'edge.nix'), '{ ... }: { networking.hostName = "edge"; }\n');
  // a path written as a string: code, not text
  fs.writeFileSync(
    path.join(dir, 'fleet2.nix'),
    '{ nixpkgs }:\nlet\n  mkHost = c: import (nixpkgs + "/nixos/lib/eval-config.nix") { modules = [ c ]; };\nin { alpha = mkHost ./edge.nix; }\n',
  );
  // a string that is nixpkgs' NixOS entry point itself, interpolated: code, not text
  fs.writeFileSync(
    path.join(dir, 'lab.nix'),
    '{ nixpkgs }:\n{\n  lab = import "${nixpkgs}/nixos" { configuration = ./edge.nix; };\n}\n',
  );
  const r = await run(['check', '.'], dir);
  assert.match(r.stdout, /1 machine/);
  assert.match(r.stderr, /note: \S*lab\.nix:3 is not checked: it mentions "\$\{nixpkgs\}\/nixos"/);
  assert.match(r.stderr, /note: \S*fleet2\.nix:3 is not checked: it mentions nixos\/lib\/eval-config\.nix/);
  assert.match(
    r.stderr,
    /note: \S*fleet\.nix:2 is not checked: it mentions pkgs\.nixos, but no machine nixkit found is built from it/,
  );
});

test('whole machines at the top of an old checkout that nothing builds are named in notes, not made machines', async () => {
  const dir = tempDir('check-unbuilt-machines');
  const machine = (dev: string) =>
    `{ config, pkgs, ... }:\n{\n  imports = [ ./common.nix ];\n  boot.loader.grub.device = "${dev}";\n  fileSystems."/" = { device = "${dev}1"; fsType = "ext4"; };\n}\n`;
  fs.writeFileSync(path.join(dir, 'archon.nix'), machine('/dev/vda'));
  fs.writeFileSync(path.join(dir, 'forge.nix'), machine('/dev/sda'));
  // a machine file another file imports is a module there; a module without a boot loader is none
  fs.writeFileSync(path.join(dir, 'prism.nix'), machine('/dev/sdb'));
  fs.writeFileSync(
    path.join(dir, 'network.nix'),
    '{\n  network.description = "lab";\n  htpc = import ./prism.nix;\n}\n',
  );
  fs.writeFileSync(
    path.join(dir, 'common.nix'),
    '{ ... }: { boot = { kernelModules = [ "kvm-intel" ]; }; fileSystems."/tmp".fsType = "tmpfs"; }\n',
  );
  const r = await run(['check', '.'], dir);
  assert.match(r.stdout, /1 machine/);
  const notes = r.stderr.split('\n').filter((l) => l.includes('like a whole machine'));
  assert.deepEqual(
    notes.map((l) => /(\w+\.nix) is not checked/.exec(l)?.[1]),
    ['archon.nix', 'forge.nix'],
    r.stderr,
  );
});

test("the repository's own builder called `nixosSystem` (and one wrapping it) is no system left unchecked", async () => {
  const machine =
    '{ ... }: { networking.hostName = "x"; boot.isContainer = true; system.stateVersion = "24.11"; }\n';
  const dir = tempTree('check-own-nixossystem', {
    'flake.nix': `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { self, nixpkgs, ... }: {
    nixosConfigurations = import ./hosts { myLib = import ./lib { inherit nixpkgs; }; };
  };
}
`,
    'lib/nixosSystem.nix':
      '{ nixpkgs }:\n{ system, modules }:\nnixpkgs.lib.nixosSystem { inherit system modules; }\n',
    'lib/default.nix': `{ nixpkgs }:
rec {
  nixosSystem = import ./nixosSystem.nix { inherit nixpkgs; };
  mkVm = { system, modules }: nixosSystem { inherit system; modules = [ { boot.isContainer = true; } ] ++ modules; };
}
`,
    'hosts/default.nix': `{ myLib }:
{
  alpha = myLib.nixosSystem { system = "x86_64-linux"; modules = [ ./alpha ]; };
  beta = myLib.mkVm { system = "x86_64-linux"; modules = [ ./beta ]; };
}
`,
    'hosts/alpha/default.nix': machine,
    'hosts/beta/default.nix': machine,
  });
  const r = await run(['check', '.'], dir);
  assert.match(r.stdout, /2 machines: 2 read/);
  assert.doesNotMatch(r.stderr, /is not checked/);
});

test('systems built beside nixosConfigurations (an installer image, nixosGenerate) are named in notes; machines are not', async () => {
  const dir = tempDir('check-unfollowed-calls');
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  inputs.generators.url = "github:nix-community/nixos-generators";
  outputs = { nixpkgs, generators, ... }:
    let
      mkHost = name: nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./\${name}.nix ]; };
      overridable = nixpkgs.lib.makeOverridable nixpkgs.lib.nixosSystem;
    in {
      nixosConfigurations.desk = mkHost "desk";
      nixosConfigurations.lab = overridable { system = "x86_64-linux"; modules = [ ./desk.nix ]; };
      packages.x86_64-linux.iso =
        (nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./iso.nix ]; }).config.system.build.isoImage;
      packages.x86_64-linux.vm = generators.nixosGenerate { system = "x86_64-linux"; modules = [ ./iso.nix ]; format = "qcow"; };
    };
}
`,
  );
  fs.writeFileSync(path.join(dir, 'desk.nix'), '{ ... }: { networking.hostName = "desk"; }\n');
  fs.writeFileSync(path.join(dir, 'iso.nix'), '{ ... }: { networking.hostName = "iso"; }\n');
  const r = await run(['check', '.'], dir);
  assert.match(r.stdout, /2 machines/);
  const notes = r.stderr.split('\n').filter((l) => /is not checked/.test(l));
  assert.deepEqual(
    notes.map((l) =>
      /(flake\.nix:\d+) is not checked: it builds a NixOS system with `(\w+)`/.exec(l)?.slice(1).join(' '),
    ),
    ['flake.nix:12 nixosSystem', 'flake.nix:13 nixosGenerate'],
    r.stderr,
  );
});

test('a script passing a nixos-config nixkit cannot resolve (only variables) is named in a note', async () => {
  const dir = tempDir('check-script-config');
  fs.mkdirSync(path.join(dir, '.git')); // a checkout: its scripts' folder is looked into
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.writeFileSync(
    path.join(dir, 'scripts/switch.sh'),
    '#!/bin/sh\nsudo NIXOS_CONFIG=$(pwd)/$computed nixos-rebuild switch\n',
  );
  fs.writeFileSync(path.join(dir, 'common.nix'), '{ ... }: { time.timeZone = "UTC"; }\n');
  const r = await run(['check', '.'], dir);
  assert.match(r.stdout, /no NixOS machine found/);
  assert.match(
    r.stderr,
    /note: \S*switch\.sh:2 is not checked: it builds NixOS machines with `NIXOS_CONFIG=\$\(pwd\)\/\$computed`/,
  );
});

test('pipe operators: an error, unless the repository runs Nix with them on (then read with Nix 2.24 grammar)', async () => {
  const dir = tempDir('check-pipes');
  const flake = (config: string) => `{
  ${config}
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: { lib = import ./util.nix; };
}
`;
  fs.writeFileSync(
    path.join(dir, 'util.nix'),
    "{\n  double = xs: xs |> map (x: x * 2);\n  sum = xs: builtins.foldl' (a: b: a + b) 0 <| xs;\n}\n",
  );
  fs.writeFileSync(path.join(dir, 'flake.nix'), flake(''));
  const off = await run(['check', '--format', 'json', '.'], dir);
  const offFindings = (JSON.parse(off.stdout) as { diagnostics: { code: string; severity: string }[] })
    .diagnostics;
  assert.equal(off.code, 1);
  assert.ok(offFindings.some((d) => d.code === 'syntax-error' && d.severity === 'error'));
  const codes = (r: { stdout: string }) =>
    (JSON.parse(r.stdout) as { diagnostics: { code: string; file: string }[] }).diagnostics.map(
      (d) => `${d.file} ${d.code}`,
    );
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    flake('nixConfig.extra-experimental-features = [ "pipe-operators" ];'),
  );
  // On: the file is read as Nix 2.24 reads it; nothing to say about it.
  const on = await run(['check', '--format', 'json', '.'], dir);
  assert.equal(on.code, 0);
  assert.deepEqual(codes(on), []);
  // `|>` and `<|` together without parentheses is an error for Nix 2.24 too: a note, contents unknown.
  fs.writeFileSync(path.join(dir, 'mixed.nix'), 'xs: xs |> map (x: x * 2) <| 3\n');
  assert.deepEqual(codes(await run(['check', '--format', 'json', '.'], dir)), [
    'mixed.nix syntax-unsupported',
  ]);
  fs.rmSync(path.join(dir, 'mixed.nix'));
  // No nixConfig, but the machines run Nix with the feature on: the author builds with it.
  fs.writeFileSync(path.join(dir, 'flake.nix'), flake(''));
  fs.mkdirSync(path.join(dir, 'modules'));
  fs.writeFileSync(
    path.join(dir, 'modules/nix.nix'),
    '{ nix.settings.experimental-features = [ "nix-command" "flakes" "pipe-operators" ]; }\n',
  );
  const settings = await run(['check', '--format', 'json', '.'], dir);
  assert.equal(settings.code, 0);
  assert.deepEqual(codes(settings), []);
  // No flake at all (an /etc/nixos layout kept in a folder of its own): the same evidence counts.
  const plain = tempDir('check-pipes-plain');
  fs.mkdirSync(path.join(plain, 'lib'));
  fs.writeFileSync(path.join(plain, 'lib/names.nix'), 'xs: xs |> map (x: x + 1)\n');
  fs.writeFileSync(
    path.join(plain, 'configuration.nix'),
    '{ ... }: { nix.settings.experimental-features = "nix-command flakes pipe-operators"; }\n',
  );
  const plainRun = await run(['check', '--format', 'json', '.'], plain);
  assert.deepEqual(
    codes(plainRun).filter((d) => d.startsWith('lib/')),
    [],
  );
  // A nix.conf kept at the top of the repository (its build script exports it as NIX_CONFIG), Lix spelling too.
  const conf = tempDir('check-pipes-nixconf');
  fs.mkdirSync(path.join(conf, '.git'));
  fs.writeFileSync(path.join(conf, 'nix.conf'), 'extra-experimental-features = pipe-operator # lix\n');
  fs.writeFileSync(path.join(conf, 'names.nix'), 'xs: xs |> map (x: x + 1) |> y\n');
  // read with the pipes: `y` is an undefined variable, as Nix 2.24 says
  assert.deepEqual(codes(await run(['check', '--format', 'json', '.'], conf)), [
    'names.nix undefined-variable',
  ]);
});
