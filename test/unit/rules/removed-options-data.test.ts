// The removed-options data and where the nixpkgs release comes from: every entry names the nixpkgs file and the
// release of its change and is consistent with the others; flake.lock (its locked branch, else its date) decides
// the release before system.stateVersion; an unknown or lower-bound release turns a removal into a warning.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import {
  compareReleases,
  isNixosRelease,
  maintainedReleaseAt,
  releaseOfLockNode,
  UNSTABLE,
} from '../../../server/data/releases';
import { REMOVED_OPTIONS } from '../../../server/data/removed-options';
import { tempDir } from '../../helpers';

test('every entry names a nixpkgs module file, a NixOS release and a kind, consistently', () => {
  const seen = new Set<string>();
  for (const e of REMOVED_OPTIONS) {
    const what = JSON.stringify(e);
    assert.match(e.file, /^nixos\/modules\/[\w./-]+\.nix$/, what);
    assert.ok(isNixosRelease(e.release), `${what}: ${e.release} is a NixOS release`);
    assert.ok(['renamed', 'removed', 'deprecated'].includes(e.kind), what);
    assert.ok(!seen.has(e.from), `${e.from} is listed once`);
    seen.add(e.from);
    const stars = (p: string) => p.split('.').filter((k) => k === '*').length;
    if (e.to) assert.equal(stars(e.to), stars(e.from), `${what}: the same names carry over`);
    // A deprecated option is still declared and does nothing: there is nothing to move it to.
    if (e.kind === 'deprecated') assert.equal(e.to, undefined, what);
    // A rename without a replacement is no rename.
    if (e.kind === 'renamed') assert.ok(e.to, what);
    if (e.shapeChanged) assert.ok(e.to && e.advice, `${what}: says what the new value looks like`);
  }
  // A prefix entry covers everything below it: no other entry may hide inside it.
  for (const p of REMOVED_OPTIONS.filter((e) => e.prefix))
    for (const e of REMOVED_OPTIONS)
      assert.ok(e === p || !e.from.startsWith(p.from + '.'), `${e.from} is inside ${p.from}`);
  // A replacement is not itself renamed by an entry of the same or an older release (the advice would be stale).
  for (const e of REMOVED_OPTIONS) {
    if (!e.to) continue;
    const stale = REMOVED_OPTIONS.find(
      (o) =>
        (e.to === o.from || (o.prefix && e.to!.startsWith(o.from + '.'))) &&
        compareReleases(o.release, e.release) <= 0,
    );
    assert.equal(stale, undefined, `${e.from} → ${e.to} is renamed again by ${stale?.from}`);
  }
});

test('the known facts: grub.version only warns, sound.enable and pinentryFlavor fail, hardware.opengl renamed in 24.11', () => {
  const by = (from: string) => REMOVED_OPTIONS.find((e) => e.from === from)!;
  assert.deepEqual(
    [by('boot.loader.grub.version').kind, by('boot.loader.grub.version').file],
    ['deprecated', 'nixos/modules/system/boot/loader/grub/grub.nix'],
  );
  assert.deepEqual([by('sound.enable').kind, by('sound.enable').release], ['removed', '24.11']);
  assert.equal(by('programs.gnupg.agent.pinentryFlavor').kind, 'removed');
  assert.deepEqual(
    [by('hardware.opengl.enable').kind, by('hardware.opengl.enable').release],
    ['renamed', '24.11'],
  );
});

test('a lock date maps to the oldest release still maintained then', () => {
  assert.equal(maintainedReleaseAt(new Date('2024-12-15T00:00:00Z')), '24.05');
  assert.equal(maintainedReleaseAt(new Date('2025-01-02T00:00:00Z')), '24.11');
  assert.equal(maintainedReleaseAt(new Date('2025-06-30T00:00:00Z')), '24.11');
  assert.equal(maintainedReleaseAt(new Date('2025-07-01T00:00:00Z')), '25.05');
  const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  assert.deepEqual(
    releaseOfLockNode({ original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixos-24.11' } }),
    { release: '24.11', exact: true, from: 'flake.lock' },
  );
  assert.deepEqual(
    releaseOfLockNode({
      original: { type: 'github', owner: 'NixOS', repo: 'nixpkgs', ref: 'nixpkgs-unstable' },
    }),
    { release: UNSTABLE, exact: true, from: 'flake.lock' },
  );
  assert.deepEqual(
    releaseOfLockNode({
      locked: { lastModified: at('2025-03-01T00:00:00Z'), rev: 'abc' },
      original: { type: 'indirect', id: 'nixpkgs' },
    }),
    // a commit of March 2025 holds at most the changes of 25.05, then in development
    { release: '24.11', exact: false, atMost: '25.05', from: 'the date of flake.lock' },
  );
  assert.equal(releaseOfLockNode({ original: { type: 'indirect', id: 'nixpkgs' } }), undefined);
  // A `path:` input's lock says `"lastModified": 1`: no date at all.
  assert.equal(
    releaseOfLockNode({
      original: { type: 'path', path: './modules/nixpkgs' },
      locked: { lastModified: 1, path: './modules/nixpkgs', type: 'path' },
    }),
    undefined,
  );
});

const CONFIG = `{ ... }:
{
  hardware.opengl.enable = true;
  sound.enable = true;
  boot.loader.grub.version = 2;
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRemovedOptionsDataTestKey000000000000000 t" ];
}
`;

function lock(nixpkgs: Record<string, unknown>): string {
  return JSON.stringify({
    nodes: {
      nixpkgs,
      root: { inputs: { nixpkgs: 'nixpkgs', other: 'other' } },
      other: { locked: { owner: 'numtide', repo: 'flake-utils', type: 'github' }, original: {} },
    },
    root: 'root',
    version: 7,
  });
}

async function removedOptions(files: Record<string, string>) {
  const dir = tempDir('releases');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  const r = await checkPaths([dir]);
  return r.findings
    .filter((f) => f.code === 'removed-option')
    .map((f) => `${f.range.start.line + 1} ${f.severity} ${f.message.split(':')[0]}`);
}

const FLAKE = (url = '') => `{
  ${url ? `inputs.nixpkgs.url = "${url}";\n  ` : ''}outputs = { nixpkgs, ... }: {
    nixosConfigurations.box = nixpkgs.lib.nixosSystem { modules = [ ./configuration.nix ]; };
  };
}
`;

test('flake.lock: the locked branch decides (nixos-24.05 has these options, nixos-24.11 does not)', async () => {
  const locked = (ref: string) => ({
    locked: { lastModified: 1735000000, owner: 'NixOS', repo: 'nixpkgs', rev: 'abc', type: 'github' },
    original: { owner: 'NixOS', ref, repo: 'nixpkgs', type: 'github' },
  });
  assert.deepEqual(
    await removedOptions({
      'flake.nix': FLAKE(),
      'flake.lock': lock(locked('nixos-24.05')),
      'configuration.nix': CONFIG,
    }),
    ['5 warning boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns'],
  );
  assert.deepEqual(
    await removedOptions({
      'flake.nix': FLAKE(),
      'flake.lock': lock(locked('nixos-24.11')),
      'configuration.nix': CONFIG,
    }),
    [
      '3 warning hardware.opengl.enable was renamed to hardware.graphics.enable in NixOS 24.11',
      '4 error sound.enable was removed in NixOS 24.11 and evaluation fails',
      '5 warning boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns',
    ],
  );
  // flake.nix names another branch than the lock: Nix locks it again, so flake.nix wins.
  assert.deepEqual(
    (
      await removedOptions({
        'flake.nix': FLAKE('github:NixOS/nixpkgs/nixos-24.11'),
        'flake.lock': lock(locked('nixos-24.05')),
        'configuration.nix': CONFIG,
      })
    ).map((l) => l.split(' ').slice(0, 2).join(' ')),
    ['3 warning', '4 error', '5 warning'],
  );
});

test('flake.lock without a branch: its date is a lower bound, so a later removal is a warning', async () => {
  const found = await removedOptions({
    'flake.nix': FLAKE(),
    'flake.lock': lock({
      locked: {
        lastModified: Math.floor(Date.parse('2024-12-10T00:00:00Z') / 1000),
        owner: 'NixOS',
        repo: 'nixpkgs',
        rev: 'abc',
        type: 'github',
      },
      original: { id: 'nixpkgs', type: 'indirect' },
    }),
    'configuration.nix': CONFIG,
  });
  assert.deepEqual(found, [
    '4 warning sound.enable was removed in NixOS 24.11',
    '5 warning boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns',
  ]);
  const dir = tempDir('releases-msg');
  fs.writeFileSync(path.join(dir, 'flake.nix'), FLAKE());
  fs.writeFileSync(
    path.join(dir, 'flake.lock'),
    lock({
      locked: {
        lastModified: Math.floor(Date.parse('2024-12-10T00:00:00Z') / 1000),
        owner: 'NixOS',
        repo: 'nixpkgs',
      },
      original: { id: 'nixpkgs', type: 'indirect' },
    }),
  );
  fs.writeFileSync(path.join(dir, 'configuration.nix'), CONFIG);
  const sound = (await checkPaths([dir])).findings.find((f) => f.message.startsWith('sound.enable'));
  assert.match(
    sound!.message,
    /evaluation fails with NixOS 24\.11 or later \(this configuration's nixpkgs is 24\.05 or newer \(from the date of flake\.lock\)\)/,
  );
  assert.equal(sound!.fixes?.length ?? 0, 0);
});

test('an unstable branch pinned by flake.lock: only releases shipped before its date are certain', async () => {
  const unstable = (iso: string) => ({
    locked: {
      lastModified: Math.floor(Date.parse(iso) / 1000),
      owner: 'NixOS',
      repo: 'nixpkgs',
      type: 'github',
    },
    original: { owner: 'NixOS', ref: 'nixos-unstable', repo: 'nixpkgs', type: 'github' },
  });
  const check = (iso: string | undefined) =>
    removedOptions({
      'flake.nix': FLAKE('github:NixOS/nixpkgs/nixos-unstable'),
      ...(iso ? { 'flake.lock': lock(unstable(iso)) } : {}),
      'configuration.nix': CONFIG,
    });
  // February 2024: 23.11 had shipped and 24.05 was in development; 24.11's removals cannot be in it.
  assert.deepEqual(await check('2024-02-24T00:00:00Z'), [
    '5 warning boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns',
  ]);
  // August 2024: 24.11 was in development, so its removal may be in it (a warning, no rename fix).
  assert.deepEqual(await check('2024-08-10T00:00:00Z'), [
    '4 warning sound.enable was removed in NixOS 24.11',
    '5 warning boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns',
  ]);
  // March 2025: 24.11 had shipped.
  assert.deepEqual(await check('2025-03-01T00:00:00Z'), [
    '3 warning hardware.opengl.enable was renamed to hardware.graphics.enable in NixOS 24.11',
    '4 error sound.enable was removed in NixOS 24.11 and evaluation fails',
    '5 warning boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns',
  ]);
  // Not locked: Nix fetches the branch as it is now.
  assert.deepEqual((await check(undefined)).length, 3);
});

test('no flake.lock and no branch in flake.nix: system.stateVersion is the lower bound', async () => {
  // "24.11" is also what unstable calls itself months before 24.11 ships: changes of older releases are
  // certain, 24.11's own removals only possible (a warning), its renames not said.
  const found = await removedOptions({
    'flake.nix': FLAKE(),
    'configuration.nix': CONFIG.replace('users.users', 'system.stateVersion = "24.11";\n  users.users'),
  });
  assert.deepEqual(found, [
    '4 warning sound.enable was removed in NixOS 24.11',
    '5 warning boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns',
  ]);
  // A stateVersion after the release settles it.
  const later = await removedOptions({
    'flake.nix': FLAKE(),
    'configuration.nix': CONFIG.replace('users.users', 'system.stateVersion = "25.05";\n  users.users'),
  });
  assert.deepEqual(later, [
    '3 warning hardware.opengl.enable was renamed to hardware.graphics.enable in NixOS 24.11',
    '4 error sound.enable was removed in NixOS 24.11 and evaluation fails',
    '5 warning boot.loader.grub.version has no effect since NixOS 23.05; evaluation warns',
  ]);
});

test('under an mkIf nixkit cannot decide, a removed option is a warning that says when it fails', async () => {
  const found = await removedOptions({
    'flake.nix': FLAKE('github:NixOS/nixpkgs/nixos-25.05'),
    'configuration.nix': `{ config, lib, ... }:
{
  options.audio.legacy = lib.mkEnableOption "legacy audio";
  config = lib.mkMerge [
    { audio.legacy = builtins.getEnv "LEGACY_AUDIO" == "1"; }
    (lib.mkIf config.audio.legacy { sound.enable = true; })
  ];
}
`,
  });
  // NixOS drops a definition whose mkIf is false, and its "can no longer be used" check with it.
  assert.deepEqual(found, ['6 warning sound.enable was removed in NixOS 24.11 and evaluation fails']);
});
