// `nixkit install` without a target: usage errors (exit 2), the plan of --dry-run, the disk confirmation refusals,
// and the facts the analysis gives the steps (efiSysMountPoint, where hardware-configuration.nix is imported from).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { analyzeConfiguration } from '../../../engine/install/steps/preflight';
import type { CliIO } from '../../../cli/io';
import { defaultStateDir, makeInstallCommand } from '../../../cli/install-command';
import { newInstallState, StateStore } from '../../../engine/install/state-store';
import type { InstallOptions } from '../../../protocol/install-state';
import { writeFlake } from './fixtures';

function io(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out = { stdout: '', stderr: '' };
  const value: CliIO = {
    stdout: (s) => (out.stdout += s),
    stderr: (s) => (out.stderr += s),
    cwd,
    env,
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
      ['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', '/dev/sda'],
      ['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', '/dev/nvme0n1', '--dry-run'],
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

  it('--proxy: the plan names the proxy with its password hidden and proxy.nix; hostile input is refused', async () => {
    const base = ['--flake', `${flake}#demo`, '--target', 'root@h', '--dry-run', '--build-on', 'target'];
    const { io: i, out } = io(dir);
    const args = [
      ...base,
      '--proxy',
      'http://deploy:Zx9-secret@proxy.lan:3128',
      '--no-proxy',
      'localhost,.lan',
      '--proxy-in-config',
    ];
    assert.equal(await cmd(args, i), 0, out.stderr);
    assert.match(
      out.stdout,
      /runs with the proxy http:\/\/deploy:\*\*\*@proxy\.lan:3128 \(not for localhost,\.lan\)/,
    );
    assert.match(out.stdout, /writes .*hosts\/demo\/proxy\.nix .*without the password/);
    assert.ok(!(out.stdout + out.stderr).includes('Zx9-secret'));
    // The password from the environment, the user from the URL.
    const env = io(dir, { PROXY_PW: 'Qq7-env' });
    assert.equal(
      await cmd(
        [...base, '--proxy', 'http://deploy@proxy.lan:3128', '--proxy-password-env', 'PROXY_PW'],
        env.io,
      ),
      0,
      env.out.stderr,
    );
    assert.match(env.out.stdout, /deploy:\*\*\*@proxy\.lan:3128/);
    assert.ok(!env.out.stdout.includes('Qq7-env'));
    for (const [extra, why] of [
      [['--proxy', "http://u:p'w$(reboot)@h:1"], /quotes/],
      [['--proxy', 'ftp://h:21'], /scheme is ftp/],
      [['--proxy', 'http://h'], /names no port/],
      [['--proxy', 'http://h:1', '--no-proxy', 'a;b'], /not a no-proxy entry/],
      [['--no-proxy', 'localhost'], /go with --proxy/],
      [['--proxy', 'http://h:1', '--proxy-password-env', 'PROXY_PW'], /needs a user/],
      [['--network', 'static', '--network-style', 'wicked'], /--network-style is/],
    ] as [string[], RegExp][]) {
      const r = io(dir, { PROXY_PW: 'x' });
      assert.equal(await cmd([...base, ...extra], r.io), 2, extra.join(' '));
      assert.match(r.out.stderr, why, extra.join(' '));
      assert.ok(!r.out.stderr.includes('reboot)'), r.out.stderr);
    }
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

describe('nixkit install: disk names, where states live, and resuming', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-install-state-'));
  const flake = writeFlake(path.join(dir, 'flake'), 'demo');
  const home = path.join(dir, 'home');
  const env = { HOME: home };
  const cmd = makeInstallCommand({ confirm: async () => undefined });
  const options = (o: Partial<InstallOptions> = {}): InstallOptions => ({
    flake,
    configuration: 'demo',
    target: 'root@127.0.0.1',
    disk: DISK,
    confirmedDisk: DISK,
    buildOn: 'local',
    root: '/mnt',
    reboot: false,
    ...o,
  });
  const plant = (store: StateStore, o: Partial<InstallOptions> = {}) => {
    const st = newInstallState(options(o), ['preflight', 'partition']);
    st.status = 'failed';
    st.steps[0].status = 'failed';
    store.save(st);
    return st;
  };

  it('kernel names are refused for --disk and --confirm-disk, by-id and by-path are taken', async () => {
    for (const bad of [
      '/dev/sda',
      '/dev/vdb',
      '/dev/nvme0n1',
      '/dev/mapper/vg-root',
      '/dev/disk/by-id/../../sda',
    ]) {
      const r = io(dir, env);
      assert.equal(
        await cmd(['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', bad, '--dry-run'], r.io),
        2,
      );
      assert.match(r.out.stderr, /name the disk by \/dev\/disk\/by-id\/…/);
    }
    let r = io(dir, env);
    const base = ['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', DISK, '--yes'];
    assert.equal(await cmd([...base, '--confirm-disk', '/dev/sda'], r.io), 2);
    assert.match(r.out.stderr, /--confirm-disk \/dev\/sda: name the disk by/);
    r = io(dir, env);
    const byPath = '/dev/disk/by-path/virtio-pci-0000:00:04.0';
    assert.equal(
      await cmd(['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', byPath, '--dry-run'], r.io),
      0,
    );
  });

  it('states live per user outside the repository, keyed by the flake path (XDG_STATE_HOME first)', () => {
    const a = defaultStateDir(flake, env);
    assert.ok(a.startsWith(path.join(home, '.local', 'state', 'nixkit', 'installs', 'flake-')), a);
    assert.notEqual(
      defaultStateDir(path.join(dir, 'other', 'flake'), env),
      a,
      'another flake, another folder',
    );
    assert.ok(
      defaultStateDir(flake, { ...env, XDG_STATE_HOME: '/x/state' }).startsWith('/x/state/nixkit/installs/'),
    );
    assert.ok(!a.startsWith(flake));
  });

  it('an install saves its state there, not in FLAKE/.nixkit', async () => {
    const r = io(dir, env);
    const code = await cmd(
      [
        '--flake',
        `${flake}#demo`,
        '--target',
        'root@127.0.0.1',
        '-p',
        '1',
        '--disk',
        DISK,
        '--yes',
        '--confirm-disk',
        DISK,
      ],
      r.io,
    );
    assert.equal(code, 1, r.out.stderr);
    assert.ok(!fs.existsSync(path.join(flake, '.nixkit')));
    const saved = new StateStore(defaultStateDir(flake, env)).list();
    assert.equal(saved.length, 1);
    assert.equal(saved[0].options.disk, DISK);
  });

  it('a state planted in the repository is ignored, with a message saying why and where states are now', async () => {
    const planted = plant(new StateStore(path.join(flake, '.nixkit', 'installs')), {
      target: 'root@attacker.example',
      extraFiles: [{ source: '/etc/shadow', path: '/x' }],
    });
    const r = io(dir, env);
    assert.equal(await cmd(['--resume', planted.id, '--flake', `${flake}#demo`, '--yes'], r.io), 2);
    assert.match(
      r.out.stderr,
      /ignoring the install states in .*\.nixkit\/installs: states inside a repository are no longer trusted/,
    );
    assert.match(r.out.stderr, /No install '.*' in .*\.local\/state\/nixkit\/installs/);
    assert.ok(!r.out.stdout.includes('attacker'));
    fs.rmSync(path.join(flake, '.nixkit'), { recursive: true });
  });

  it('a resume shows the plan and asks for the disk name again; a saved confirmation is never reused', async () => {
    const store = new StateStore(defaultStateDir(flake, env));
    const st = plant(store);
    // --yes alone: the saved confirmedDisk does not count
    let r = io(dir, env);
    assert.equal(await cmd(['--resume', st.id, '--flake', `${flake}#demo`, '--yes'], r.io), 2);
    assert.match(r.out.stdout, /Install plan for .* onto root@127\.0\.0\.1/);
    assert.match(r.out.stderr, new RegExp(`--yes erases ${DISK} only with --confirm-disk`));
    // in a terminal: asked again; a wrong answer changes nothing
    const asked: string[] = [];
    const typed = makeInstallCommand({
      confirm: async (q) => {
        asked.push(q);
        return '/dev/disk/by-id/ata-OTHER';
      },
    });
    r = io(dir, env);
    assert.equal(await typed(['--resume', st.id, '--flake', `${flake}#demo`], r.io), 1);
    assert.equal(asked.length, 1);
    assert.match(asked[0], /ERASES everything on \/dev\/disk\/by-id\/ata-TEST_1/);
    assert.match(r.out.stdout, /\[DESTRUCTIVE\]/);
    assert.equal(store.load(st.id).steps[0].status, 'failed', 'nothing ran');
  });

  it('a saved install naming its disk by kernel name is not resumed', async () => {
    const store = new StateStore(defaultStateDir(flake, env));
    const st = plant(store, { disk: '/dev/sda', confirmedDisk: '/dev/sda' });
    const r = io(dir, env);
    assert.equal(
      await cmd(['--resume', st.id, '--flake', `${flake}#demo`, '--yes', '--confirm-disk', '/dev/sda'], r.io),
      2,
    );
    assert.match(r.out.stderr, /the saved install erases \/dev\/sda: name the disk by/);
  });
});
