// The facts the install takes from the local analysis of the flake (preflight's analyzeConfiguration): the ESP's
// mount point, where hardware-configuration.nix is imported, and whether the configuration writes an EFI boot entry
// (boot.loader.efi.canTouchEfiVariables) or builds GRUB for EFI (boot.loader.grub.efiSupport), which the verify
// step then checks on the target.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzeConfiguration } from '../../../extension/engine/install/steps/preflight';
import { writeFlake } from './fixtures';

function flakeWith(extra: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-facts-'));
  writeFlake(dir, 'demo', { efiSysMountPoint: '/efi' });
  const conf = path.join(dir, 'hosts', 'demo', 'configuration.nix');
  fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/}\s*$/, `${extra}\n}\n`));
  return dir;
}

test('canTouchEfiVariables: unset is false, a literal is taken, an unknown value stays unknown', async () => {
  const cases: [string, boolean | null][] = [
    ['', false],
    ['  boot.loader.efi.canTouchEfiVariables = true;', true],
    ['  boot.loader.efi.canTouchEfiVariables = false;', false],
    ['  boot.loader.efi.canTouchEfiVariables = builtins.pathExists /sys/firmware/efi;', null],
  ];
  for (const [extra, want] of cases) {
    const dir = flakeWith(extra);
    try {
      const a = await analyzeConfiguration(dir, 'demo');
      assert.ok(a.found);
      assert.equal(a.facts.canTouchEfiVariables, want, `for ${JSON.stringify(extra)}`);
      assert.equal(a.facts.efiSysMountPoint, '/efi');
      assert.equal(a.facts.hardwareConfigImported, true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('grub efiSupport: unset is false, a literal is taken, an unknown value stays unknown', async () => {
  const cases: [string, boolean | null][] = [
    ['', false],
    ['  boot.loader.grub.efiSupport = true;', true],
    ['  boot.loader.grub.efiSupport = false;', false],
    ['  boot.loader.grub.efiSupport = builtins.pathExists /sys/firmware/efi;', null],
  ];
  for (const [extra, want] of cases) {
    const dir = flakeWith(extra);
    try {
      const a = await analyzeConfiguration(dir, 'demo');
      assert.equal(a.facts.grubEfiSupport, want, `for ${JSON.stringify(extra)}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
