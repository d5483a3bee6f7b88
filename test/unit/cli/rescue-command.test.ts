// `nixkit rescue`'s command line: every mistake is a usage error (exit 2) that connects to nothing — one action at a
// time, a generation number, a known step, --resume-from only with --flake, a device path, secrets only from set
// environment variables — and the lazy dispatcher reaches it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import type { Subcommand } from '../../../cli/io';
import { main } from '../../../cli/main';
import { rescueCommand } from '../../../cli/rescue-command';
import { tempDir } from '../../helpers';

async function run(cmd: Subcommand, args: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  let stdout = '';
  let stderr = '';
  const code = await cmd(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    env,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

test('nixkit rescue: mistakes are usage errors, before any connection', async () => {
  // 192.0.2.1 (TEST-NET-1) never answers: a case that connected would hang or fail with another message.
  const t = 'root@192.0.2.1';
  const cases: [string[], RegExp][] = [
    [[], /give exactly one TARGET/],
    [[t, 'root@192.0.2.2'], /give exactly one TARGET/],
    [[t, '--rollback', '1', '--run', 'true'], /one action at a time/],
    [[t, '--rollback', 'one'], /--rollback takes a generation number/],
    [[t, '--rollback', '1; reboot'], /--rollback takes a generation number/],
    [[t, '--resume-from', 'copy'], /--resume-from needs --flake/],
    [[t, '--resume-from', 'wipe', '--flake', '.#x'], /--resume-from takes one of preflight, partition/],
    [[t, '--device', 'sda2'], /--device takes a \/dev\/… path or LABEL=\/UUID=/],
    [
      [t, '--luks-passphrase-env', 'NIXKIT_TEST_UNSET'],
      /NIXKIT_TEST_UNSET: that environment variable is not set/,
    ],
    [[t, '--port', '70000'], /--port needs a number/],
    [[t, '--flake', 'nohash'], /--flake needs PATH#NAME/],
  ];
  for (const [args, re] of cases) {
    const r = await run(rescueCommand, args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stdout, /Connecting/, args.join(' '));
  }
});

test('nixkit rescue: a flake without that configuration is named with the ones it has', async () => {
  const dir = tempDir('nixkit-rescue-cli-');
  fs.mkdirSync(path.join(dir, 'hosts', 'web'), { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'flake.nix'),
    `{ inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: { nixosConfigurations.web = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./hosts/web/configuration.nix ]; }; }; }
`,
  );
  fs.writeFileSync(
    path.join(dir, 'hosts', 'web', 'configuration.nix'),
    '{ ... }: { boot.loader.grub.device = "nodev"; }\n',
  );
  const r = await run(rescueCommand, ['root@192.0.2.1', '--flake', `${dir}#db`]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /defines no nixosConfigurations\.db \(it has: web\)/);
  const missing = await run(rescueCommand, ['root@192.0.2.1', '--flake', `${path.join(dir, 'nope')}#web`]);
  assert.match(missing.stderr, /holds no flake\.nix/);
});

test('nixkit rescue is in the usage and the dispatcher', async () => {
  const usage = await run(main.bind(null) as unknown as Subcommand, []);
  assert.match(usage.stdout, /^ {2}rescue TARGET /m);
  const help = await run((args, io) => main(['rescue', ...args], io), ['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: nixkit rescue TARGET/);
});
