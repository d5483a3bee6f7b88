// The install step's profile script (generations: a resumed install reuses its own) and the verify step's checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { PROFILE_SCRIPT, manualCommands } from '../../../engine/install/steps/install';
import { checkSystemdBoot, parseFacts } from '../../../engine/install/steps/verify';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-install-unit-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const profile = (root: string, top: string) =>
  spawnSync('sh', ['-c', PROFILE_SCRIPT, 'p', root, top], { encoding: 'utf8' });

describe('install step', () => {
  it('sets the system profile; the same system keeps its generation, a new one gets the next', () => {
    const root = path.join(dir, 'root');
    const a = '/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-a';
    const b = '/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-nixos-system-b';
    assert.equal(profile(root, a).stdout.trim(), '1');
    assert.equal(profile(root, a).stdout.trim(), '1');
    assert.equal(profile(root, b).stdout.trim(), '2');
    const profiles = path.join(root, 'nix/var/nix/profiles');
    assert.equal(fs.readlinkSync(path.join(profiles, 'system')), 'system-2-link');
    assert.equal(fs.readlinkSync(path.join(profiles, 'system-1-link')), a);
    assert.ok(fs.existsSync(path.join(root, 'etc/NIXOS')));
  });

  it('enters the root in a private mount namespace and never ignores the exit status', () => {
    const [, enter] = manualCommands('/mnt', '/nix/store/x');
    assert.deepEqual(enter.argv.slice(0, 5), ['unshare', '--mount', '--fork', '--pid', '--mount-proc']);
    const script = enter.argv[7];
    assert.match(script, /set -eu/);
    assert.match(
      script,
      /exec env -i PATH="\$path" NIXOS_INSTALL_BOOTLOADER=1 "\$chroot" "\$root" "\$sys\/bin\/switch-to-configuration" boot/,
    );
  });
});

describe('verify step', () => {
  const top = '/nix/store/tttttttttttttttttttttttttttttttt-nixos-system-x';
  const good = [
    'sdboot\tyes',
    'fallback\tyes',
    'loaderconf\tyes',
    'entryfile\tyes',
    'entry\ttitle NixOS',
    'entry\tlinux /EFI/nixos/k.efi',
    'entry\tinitrd /EFI/nixos/i.efi',
    `entry\toptions init=${top}/init loglevel=4`,
    'file:/EFI/nixos/k.efi\tyes',
    'file:/EFI/nixos/i.efi\tyes',
    'efivars\tno',
  ].join('\n');

  it('accepts a complete systemd-boot install', () => {
    assert.deepEqual(checkSystemdBoot(parseFacts(good), '/mnt/boot', 1, top), []);
  });

  it('says what is missing where', () => {
    const noLoader = good.replace('sdboot\tyes', 'sdboot\tno').replace('fallback\tyes', 'fallback\tno');
    assert.match(
      checkSystemdBoot(parseFacts(noLoader), '/mnt/boot', 1, top)[0],
      /no systemd-boot binary.*\/mnt\/boot\/EFI\/BOOT\/BOOTX64.EFI/,
    );
    const noEntry = good.replace('entryfile\tyes', 'entryfile\tno');
    assert.match(
      checkSystemdBoot(parseFacts(noEntry), '/mnt/boot', 3, top)[0],
      /\/mnt\/boot\/loader\/entries\/nixos-generation-3.conf is missing/,
    );
    const otherSystem = checkSystemdBoot(parseFacts(good), '/mnt/boot', 1, '/nix/store/other');
    assert.match(otherSystem[0], /does not boot this system/);
    const noKernel = good.replace('file:/EFI/nixos/k.efi\tyes', 'file:/EFI/nixos/k.efi\tno');
    assert.match(
      checkSystemdBoot(parseFacts(noKernel), '/mnt/boot', 1, top)[0],
      /the linux \/mnt\/boot\/EFI\/nixos\/k.efi .* is missing/,
    );
  });
});
