// The facts the install takes from the local analysis of the flake (preflight's analyzeConfiguration): the ESP's
// mount point, where hardware-configuration.nix is imported, and whether the configuration writes an EFI boot entry
// (boot.loader.efi.canTouchEfiVariables) or builds GRUB for EFI (boot.loader.grub.efiSupport), which the verify
// step then checks on the target.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { analyzeConfiguration } from '../../../engine/install/steps/preflight';
import { writeFlake } from './fixtures';

/** The analysis of the test flake with `extra` added to its configuration.nix. */
async function analyzeWith(extra: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-facts-'));
  try {
    writeFlake(dir, 'demo', { efiSysMountPoint: '/efi' });
    const conf = path.join(dir, 'hosts', 'demo', 'configuration.nix');
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/}\s*$/, `${extra}\n}\n`));
    return await analyzeConfiguration(dir, 'demo');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Unset is false, a literal is taken, a value only the evaluation knows stays unknown. */
const boolCases = (option: string): [string, boolean | null][] => [
  ['', false],
  [`  ${option} = true;`, true],
  [`  ${option} = false;`, false],
  [`  ${option} = builtins.pathExists /sys/firmware/efi;`, null],
];

test('canTouchEfiVariables: unset is false, a literal is taken, an unknown value stays unknown', async () => {
  for (const [extra, want] of boolCases('boot.loader.efi.canTouchEfiVariables')) {
    const a = await analyzeWith(extra);
    assert.ok(a.found);
    assert.equal(a.facts.canTouchEfiVariables, want, `for ${JSON.stringify(extra)}`);
    assert.equal(a.facts.efiSysMountPoint, '/efi');
    assert.equal(a.facts.hardwareConfigImported, true);
  }
});

test('grub efiSupport: unset is false, a literal is taken, an unknown value stays unknown', async () => {
  for (const [extra, want] of boolCases('boot.loader.grub.efiSupport')) {
    const a = await analyzeWith(extra);
    assert.equal(a.facts.grubEfiSupport, want, `for ${JSON.stringify(extra)}`);
  }
});

test('a configuration nobody can log in to is a warning before the install (nixkit sets no root password)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-facts-'));
  try {
    writeFlake(dir, 'demo', { efiSysMountPoint: '/efi' });
    const conf = path.join(dir, 'hosts', 'demo', 'configuration.nix');
    fs.writeFileSync(conf, fs.readFileSync(conf, 'utf8').replace(/^.*authorizedKeys.*$/m, ''));
    const a = await analyzeConfiguration(dir, 'demo');
    // information in the editor (mutable users: `passwd` on an installed machine works), a warning here
    assert.deepEqual(
      a.warnings.map((f) => [f.code, f.severity]),
      [['lockout-risk', 'information']],
    );
    assert.deepEqual(a.errors, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
