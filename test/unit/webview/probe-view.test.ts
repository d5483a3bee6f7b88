// extension/panels/probe-view.ts: the panel's view of a probe report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toProbeView } from '../../../extension/panels/probe-view';
import { isProbeView } from '../../../protocol/webview-messages';
import { hostileReport } from './fixture';

describe('probe view', () => {
  const v = toProbeView(hostileReport(), 'root@rescue');

  it('passes the protocol guard', () => assert.ok(isProbeView(v)));

  it('classifies the warnings the panel highlights', () => {
    assert.deepEqual(
      v.warnings.map((w) => w.kind),
      ['bios', 'low-ram', 'no-nix', 'missing-tools'],
    );
  });

  it('lists the initrd modules of storage controllers only, and NIC names now and under NixOS', () => {
    assert.deepEqual(v.initrdModules, ['ahci']);
    assert.deepEqual(
      v.nics.map((n) => [n.name, n.predictedName, n.addresses]),
      [['eth0', 'enp0s3', ['192.0.2.10/24']]],
    );
    assert.match(v.nics[0].predictedHow, /udevadm/);
  });

  it('falls back to name and version when the OS has no pretty name', () => {
    assert.equal(v.system.os, 'Debian 12');
    assert.equal(v.target, 'root@rescue');
    assert.equal(v.disks[0].partitionTable, 'gpt');
  });
});
