// Build step commands: the flake attribute (quoted when the name needs it), the test-closure route, the store.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { localNix, storeRoot } from '../../../engine/install/nix-env';
import type { InstallOptions } from '../../../protocol/install-state';
import { buildArgv, buildStep, instantiateArgv, toplevelAttr } from '../../../engine/install/steps/build';
import { newInstallState } from '../../../engine/install/state-store';

const base: InstallOptions = {
  flake: '/home/u/my flake',
  configuration: 'host',
  target: 'root@h',
  buildOn: 'local',
  root: '/mnt',
  reboot: false,
};

describe('build step', () => {
  it('builds the flake toplevel with nix build, quoting odd names as Nix strings', () => {
    assert.equal(toplevelAttr('host'), 'nixosConfigurations.host.config.system.build.toplevel');
    assert.equal(toplevelAttr('a.b"$x'), 'nixosConfigurations."a.b\\"\\$x".config.system.build.toplevel');
    const argv = buildArgv(base, localNix(base));
    assert.deepEqual(argv.slice(-3), [
      '--no-link',
      '--print-out-paths',
      '/home/u/my flake#nixosConfigurations.host.config.system.build.toplevel',
    ]);
  });

  it('builds a Nix file from the options instead (the test closure), in the given store', () => {
    const o: InstallOptions = {
      ...base,
      buildExpr: { file: '/x/system.nix', attr: 'top', argstr: { n: '1' }, arg: { busyboxDir: '/bb' } },
      localNix: { store: 'local?root=/tmp/s', env: { NIX_CONF_DIR: '/c' } },
    };
    const nix = localNix(o);
    assert.equal(nix.root, '/tmp/s');
    assert.deepEqual(buildArgv(o, nix), [
      'nix-build',
      '--store',
      'local?root=/tmp/s',
      '/x/system.nix',
      '-A',
      'top',
      '--argstr',
      'n',
      '1',
      '--arg',
      'busyboxDir',
      '/bb',
      '--no-out-link',
    ]);
    assert.equal(instantiateArgv(o, nix)[0], 'nix-instantiate');
  });

  it('store roots: default, local?root=, a path; refuses a remote store', () => {
    assert.equal(storeRoot(undefined), '/');
    assert.equal(storeRoot('local?root=/a/b'), '/a/b');
    assert.equal(storeRoot('/c'), '/c');
    assert.throws(() => storeRoot('ssh://x'), /not one/);
  });

  it('describes where it builds', () => {
    const s = newInstallState(base, ['build']);
    assert.match(buildStep.describe(base, s).title, /this machine/);
    const onTarget = { ...base, buildOn: 'target' as const };
    const d = buildStep.describe(onTarget, s);
    assert.ok(d.commands.some((c) => c.where === 'target' && c.argv.includes('--realise')));
    const host = { ...base, buildOn: { host: 'builder' } };
    assert.match(buildStep.describe(host, s).title, /builder/);
  });
});
