// `nixkit install` without a target: usage errors (exit 2), the plan of --dry-run, the disk confirmation refusals,
// and the facts the analysis gives the steps (efiSysMountPoint, where hardware-configuration.nix is imported from).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeConfiguration } from '../../../engine/install/steps/preflight';
import type { CliIO } from '../../../cli/io';
import { makeInstallCommand } from '../../../cli/install-command';
import { writeFlake } from './fixtures';

function io(cwd: string) {
  const out = { stdout: '', stderr: '' };
  const value: CliIO = {
    stdout: (s) => (out.stdout += s),
    stderr: (s) => (out.stderr += s),
    cwd,
    env: {},
    signal: new AbortController().signal,
  };
  return { io: value, out };
}

const DISK = '/dev/disk/by-id/ata-TEST_1';

describe('nixkit install (no target needed)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-install-cli-'));
  const flake = writeFlake(path.join(dir, 'flake'), 'demo', { efiSysMountPoint: '/efi' });
  // no terminal and no connection: a prompt answers nothing, a connection attempt fails the test
  const cmd = makeInstallCommand({ confirm: async () => undefined });

  it('usage errors exit 2', async () => {
    for (const args of [
      [],
      ['--flake', flake],
      ['--flake', `${flake}#demo`],
      ['--flake', `${flake}#demo`, '--target', 'root@h', '--strategy', 'magic'],
      ['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', 'sda'],
      [
        '--flake',
        `${flake}#demo`,
        '--target',
        'root@h',
        '--layout',
        path.join(dir, 'nope.json'),
        '--disk',
        DISK,
      ],
      ['--flake', `${flake}#demo`, '--target', 'root@h', '--build-on', '-oProxyCommand=x'],
      ['--flake', `${flake}#demo`, '--target', 'root@h', '--build-on', 'builder.lan:2222'],
      ['--bogus'],
    ]) {
      const { io: i, out } = io(dir);
      assert.equal(await cmd(args, i), 2, `${args.join(' ')}: ${out.stdout}${out.stderr}`);
    }
  });

  it('--dry-run prints the plan with the ESP where the configuration says, and writes nothing', async () => {
    const { io: i, out } = io(dir);
    const code = await cmd(
      ['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', DISK, '--dry-run', '--build-on', 'target'],
      i,
    );
    assert.equal(code, 0, out.stderr);
    assert.match(
      out.stdout,
      /target \[DESTRUCTIVE\]: sfdisk --wipe always --wipe-partitions always \/dev\/disk\/by-id\/ata-TEST_1/,
    );
    assert.match(out.stdout, /mount -t vfat -o umask=0077 \/dev\/disk\/by-id\/ata-TEST_1-part1 \/mnt\/efi/);
    assert.match(out.stdout, /writes .*hosts\/demo\/disko\.nix/);
    assert.match(out.stdout, /writes .*hosts\/demo\/hardware-configuration\.nix/);
    assert.ok(!fs.existsSync(path.join(flake, '.nixkit')));
    assert.ok(!fs.existsSync(path.join(flake, 'hosts', 'demo', 'disko.nix')));
  });

  it('--network static shows network.nix among the files the plan writes; a wrong mode is a usage error', async () => {
    const base = [
      '--flake',
      `${flake}#demo`,
      '--target',
      'root@h',
      '--disk',
      DISK,
      '--dry-run',
      '--build-on',
      'target',
    ];
    const { io: i, out } = io(dir);
    assert.equal(await cmd([...base, '--network', 'static'], i), 0, out.stderr);
    assert.match(out.stdout, /writes .*hosts\/demo\/network\.nix/);
    assert.match(out.stdout, /addresses, gateways and nameservers/);
    const bad = io(dir);
    assert.equal(await cmd([...base, '--network', 'both'], bad.io), 2);
    assert.match(bad.out.stderr, /--network is "static" or "dhcp"/);
  });

  it('without a terminal, erasing needs --yes and a matching --confirm-disk', async () => {
    const base = ['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', DISK];
    let r = io(dir);
    assert.equal(await cmd(base, r.io), 2);
    assert.match(r.out.stderr, /needs a confirmation: run in a terminal, or pass --yes --confirm-disk/);
    r = io(dir);
    assert.equal(await cmd([...base, '--yes'], r.io), 2);
    r = io(dir);
    assert.equal(await cmd([...base, '--yes', '--confirm-disk', DISK + '2'], r.io), 2);
    assert.match(r.out.stderr, /only with --confirm-disk/);
    // a mistyped name in the terminal: refused, nothing changed
    r = io(dir);
    const typed = makeInstallCommand({ confirm: async () => '/dev/disk/by-id/ata-OTHER' });
    assert.equal(await typed(base, r.io), 1);
    assert.match(r.out.stderr, /is not \/dev\/disk\/by-id\/ata-TEST_1; nothing was changed/);
    assert.ok(!fs.existsSync(path.join(flake, '.nixkit')));
  });

  it('--resume without a saved install is a usage error', async () => {
    const r = io(dir);
    assert.equal(await cmd(['--resume', '--flake', `${flake}#demo`], r.io), 2);
    assert.match(r.out.stderr, /no unfinished install/);
  });

  it('the analysis gives the steps efiSysMountPoint and the imported hardware-configuration.nix', async () => {
    const a = await analyzeConfiguration(flake, 'demo');
    assert.equal(a.found, true);
    assert.deepEqual(a.errors, []);
    assert.equal(a.facts.efiSysMountPoint, '/efi');
    assert.equal(a.facts.hardwareConfigFile, path.join(flake, 'hosts', 'demo', 'hardware-configuration.nix'));
    assert.equal(a.facts.hardwareConfigImported, true);
    const missing = await analyzeConfiguration(flake, 'other');
    assert.equal(missing.found, false);
    assert.deepEqual(missing.configurations, ['demo']);
  });
});
