// Strategy choice from the probe, the override, and the refusals with their reasons.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkStrategy,
  chooseStrategy,
  requireSupported,
  StrategyRefusedError,
} from '../../../engine/install/strategies';
import { fakeReport } from './fixtures';

const opts = { root: '/mnt', disk: '/dev/disk/by-id/x' };

describe('strategies', () => {
  it('are chosen from the probe: installer, then Nix, then the rescue route', () => {
    assert.equal(
      chooseStrategy({ report: fakeReport({ installer: true }), options: opts }).strategy,
      'nixos-installer',
    );
    assert.equal(
      chooseStrategy({ report: fakeReport({ nix: true }), options: opts }).strategy,
      'nix-present',
    );
    assert.equal(chooseStrategy({ report: fakeReport(), options: opts }).strategy, 'no-nix');
    // the installer image without nixos-install on PATH is not the installer route
    const tools = ['nix-store', 'tar', 'chroot'];
    assert.equal(
      chooseStrategy({ report: fakeReport({ installer: true }), options: opts, tools }).strategy,
      'nix-present',
    );
  });

  it('an override whose preconditions fail is refused with the reasons', () => {
    assert.throws(
      () => chooseStrategy({ report: fakeReport(), options: opts }, 'nixos-installer'),
      (e: unknown) =>
        e instanceof StrategyRefusedError && /does not run a NixOS installer image/.test(e.message),
    );
    assert.throws(
      () => chooseStrategy({ report: fakeReport(), options: opts }, 'nix-present'),
      /Nix is not installed on the target/,
    );
    assert.throws(
      () => chooseStrategy({ report: fakeReport(), options: opts, tools: ['sfdisk'] }),
      /No install strategy fits this target.*tar is not available/,
    );
  });

  it('kexec needs about 1.5 GiB of RAM, an image and kexec-tools; never automatic', () => {
    const small = checkStrategy('kexec', {
      report: fakeReport({ memMiB: 1024 }),
      options: { ...opts, kexecImage: '/k' },
    });
    assert.equal(small.ok, false);
    assert.match(small.reasons.join(), /1024 MiB RAM; kexec into an installer needs about 1536 MiB/);
    const noImage = checkStrategy('kexec', { report: fakeReport({ memMiB: 4096 }), options: opts });
    assert.deepEqual(noImage.reasons, ['no NixOS installer kexec image was given']);
    const ok = chooseStrategy(
      { report: fakeReport({ memMiB: 4096 }), options: { ...opts, kexecImage: '/k' } },
      'kexec',
    );
    assert.equal(ok.strategy, 'kexec');
    assert.doesNotThrow(() => requireSupported('kexec'));
    assert.match(ok.check.warnings.join(' '), /replaced in memory/);
    // the tool check of preflight: kexec-tools missing on the target
    const noTool = checkStrategy('kexec', {
      report: fakeReport({ memMiB: 4096 }),
      options: { ...opts, kexecImage: '/k' },
      tools: ['tar', 'chroot'],
    });
    assert.deepEqual(noTool.reasons, ['kexec (kexec-tools) is not available on the target']);
    assert.throws(
      () =>
        chooseStrategy(
          { report: fakeReport({ memMiB: 4096 }), options: opts, tools: ['tar', 'chroot'] },
          'kexec',
        ),
      (e: unknown) =>
        e instanceof StrategyRefusedError &&
        e.strategy === 'kexec' &&
        e.reasons.length === 2 &&
        /no NixOS installer kexec image was given; kexec \(kexec-tools\) is not available/.test(e.message),
    );
    // even with everything in place it is only used when asked for (then re-chosen after the kexec)
    const all = { report: fakeReport({ memMiB: 4096 }), options: { ...opts, kexecImage: '/k' } };
    assert.equal(checkStrategy('kexec', all).ok, true);
    assert.equal(chooseStrategy(all).strategy, 'no-nix');
  });

  it('too little RAM for any strategy is refused', () => {
    const c = checkStrategy('no-nix', { report: fakeReport({ memMiB: 128 }), options: opts });
    assert.deepEqual(c.reasons, [
      'the target has 128 MiB of RAM; Rescue system without Nix needs at least 256 MiB',
    ]);
  });

  it('lustrate: an installed system, no disk, root /, the scripted initrd; warns about /old-root', () => {
    const report = fakeReport();
    const refused = checkStrategy('lustrate', {
      report,
      options: opts,
      config: {
        efiSysMountPoint: '/boot',
        hardwareConfigFile: '/h',
        hardwareConfigImported: true,
        initrdSystemd: true,
      },
    });
    assert.deepEqual(refused.reasons, [
      'lustrate installs over the running system: give no disk to erase',
      'lustrate installs onto the running root: the install root must be /',
      'boot.initrd.systemd.enable is on: NIXOS_LUSTRATE needs the scripted initrd (set it to false)',
    ]);
    const ok = checkStrategy('lustrate', { report, options: { root: '/' } });
    assert.equal(ok.ok, true);
    assert.match(ok.warnings.join(' '), /\/old-root/);
    assert.match(ok.warnings.join(' '), /boot\.initrd\.systemd\.enable must stay off/);
    assert.equal(chooseStrategy({ report, options: { root: '/' } }, 'lustrate').strategy, 'lustrate');
    assert.doesNotThrow(() => requireSupported('lustrate'));
    // never chosen on its own
    assert.notEqual(chooseStrategy({ report, options: { root: '/' } }).strategy, 'lustrate');
  });
});
