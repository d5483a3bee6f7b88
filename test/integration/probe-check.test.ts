// The probe-aware checks end to end against the namespace target: probe it over SSH, generate its
// hardware-configuration.nix, put a small flake around it, and `nixkit check --probe` (the built CLI) reports
// nothing; then a UUID the target does not have draws device-not-on-target, through --probe and through
// `.nixkit/hosts/<name>.json` alike.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateHardwareConfig } from '../../engine/hwconfig/generate';
import type { ProbeReport } from '../../protocol/probe-report';
import { runProbe } from '../../engine/probe/run-probe';
import { firmwareOf } from '../../server/facts/probe';
import { CLI } from '../helpers';
import { connectTarget, startNetnsTarget, type TestTarget } from './netns-target';

const T = { timeout: 60_000 };
let t: TestTarget;
let stop: () => void;
let dir: string;
let report: ProbeReport;

before(
  async () => {
    ({ target: t, stop } = startNetnsTarget());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-probe-check-'));
    const s = await connectTarget(t, dir);
    try {
      report = ownDisks((await runProbe(s, { timeoutMs: 30_000 })).report);
    } finally {
      s.close();
    }
  },
  { timeout: 120_000 },
);
after(
  () => {
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

/**
 * The report as the target's own: the namespace target shares this machine's /dev, so its probe also lists the
 * loop devices of whatever else runs here (a developer's machine has some; how many, and where they sort, is not
 * the test's). A machine of its own would report its disks only: the target's and the one the live system runs from.
 */
function ownDisks(r: ProbeReport): ProbeReport {
  const own = new Set<string>(Object.values(t.disks));
  const disks = r.disks.filter(
    (d) => d.liveSystem || own.has(d.path) || d.partitions.some((p) => p.path !== null && own.has(p.path)),
  );
  assert.ok(
    disks.some((d) => d.path === t.disks.a),
    `the probe found the target's disk ${t.disks.a} (it has ${r.disks.map((d) => d.path).join(', ')})`,
  );
  return { ...r, disks };
}

function check(
  cwd: string,
  args: string[],
): { code: number | null; diagnostics: { code: string; file: string; message: string }[]; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json', ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.error, undefined);
  let diagnostics = [];
  try {
    diagnostics = JSON.parse(r.stdout).diagnostics;
  } catch {
    assert.fail(`nixkit check printed no JSON: ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.status, diagnostics, stderr: r.stderr };
}

/** A flake for the target: the generated hardware configuration and a configuration that suits its firmware. */
function writeFlake(root: string): { hardware: string } {
  fs.mkdirSync(path.join(root, '.git'), { recursive: true });
  const hardware = generateHardwareConfig(report, { root: t.installRoot });
  fs.writeFileSync(path.join(root, 'hardware-configuration.nix'), hardware);
  const loader =
    firmwareOf(report) === 'bios'
      ? `boot.loader.grub.enable = true;\n  boot.loader.grub.device = ${JSON.stringify(t.disks.a)};`
      : 'boot.loader.systemd-boot.enable = true;';
  fs.writeFileSync(
    path.join(root, 'configuration.nix'),
    `{ config, lib, pkgs, ... }:
{
  ${loader}
  networking.hostName = "target";
  services.openssh.enable = true;
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx0nixkitTestKey root@laptop" ];
  system.stateVersion = "24.11";
}
`,
  );
  fs.writeFileSync(
    path.join(root, 'flake.nix'),
    `{
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-24.11";
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.target = nixpkgs.lib.nixosSystem {
      modules = [ ./configuration.nix ./hardware-configuration.nix ];
    };
  };
}
`,
  );
  fs.writeFileSync(path.join(root, 'probe.json'), JSON.stringify(report, null, 2));
  return { hardware };
}

describe('nixkit check --probe against the namespace target', () => {
  it('the generated hardware configuration checks clean with the probe attached', T, () => {
    const root = path.join(dir, 'clean');
    const { hardware } = writeFlake(root);
    const rootFs = report.disks.flatMap((d) => d.partitions).find((p) => p.path === t.disks.aRoot);
    assert.ok(rootFs?.fs?.uuid, 'the probe knows the root filesystem UUID');
    assert.ok(hardware.includes(`/dev/disk/by-uuid/${rootFs.fs.uuid}`), hardware);
    const r = check(root, ['--probe', 'probe.json']);
    assert.deepEqual(r.diagnostics, [], r.stderr);
    assert.equal(r.code, 0);
  });

  it('a UUID the target does not have: device-not-on-target, from --probe and from .nixkit/hosts', T, () => {
    const root = path.join(dir, 'wrong-uuid');
    const { hardware } = writeFlake(root);
    const uuid = report.disks.flatMap((d) => d.partitions).find((p) => p.path === t.disks.aRoot)!.fs!.uuid!;
    const wrong = '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f';
    fs.writeFileSync(path.join(root, 'hardware-configuration.nix'), hardware.replace(uuid, wrong));

    const r = check(root, ['--probe', 'probe.json']);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.code} ${d.file}`),
      ['device-not-on-target hardware-configuration.nix'],
      r.stderr,
    );
    assert.match(
      r.diagnostics[0].message,
      new RegExp(`the target has no filesystem with UUID ${wrong}; its disks have: .*UUID ${uuid}`),
    );
    assert.equal(r.code, 1);

    // Without --probe nothing is known; saved as the probe panel does, it applies again.
    assert.deepEqual(check(root, []).diagnostics, []);
    fs.mkdirSync(path.join(root, '.nixkit', 'hosts'), { recursive: true });
    fs.copyFileSync(path.join(root, 'probe.json'), path.join(root, '.nixkit', 'hosts', 'target.json'));
    assert.deepEqual(
      check(root, []).diagnostics.map((d) => d.code),
      ['device-not-on-target'],
    );
    // --probe-for another configuration: .nixkit/hosts still applies to `target`.
    assert.deepEqual(
      check(root, ['--probe', 'probe.json', '--probe-for', 'other']).diagnostics.map((d) => d.code),
      ['device-not-on-target'],
    );
  });
});
