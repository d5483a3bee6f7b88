// The bundled example workspace (npm start opens it) carries documented mistakes: each must draw its finding,
// with its quick fix, and nothing else may appear. Keeps examples/README.md honest.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../server/analysis/check-files';
import { REPO_ROOT } from '../helpers';

test('examples/: every documented finding, with fixes where the README promises one, and nothing else', async () => {
  const dir = path.join(REPO_ROOT, 'examples');
  const { findings } = await checkPaths([dir]);
  const got = findings.map(
    (f) =>
      `${path.relative(dir, f.file)}:${f.range.start.line + 1} ${f.code}${f.fixes?.length ? ' +fix' : ''}`,
  );
  assert.deepEqual(got.sort(), [
    'hosts/demo/configuration.nix:10 hostname-invalid +fix',
    'hosts/demo/configuration.nix:12 removed-option +fix',
    'hosts/demo/configuration.nix:45 state-version-invalid +fix',
    'hosts/demo/hardware-configuration.nix:21 esp-mount-mismatch +fix',
    'hosts/demo/hardware-configuration.nix:28 unstable-device-path',
    'hosts/demo/hardware-configuration.nix:38 host-platform-corrupted +fix',
    'hosts/demo/hardware-configuration.nix:38 syntax-error',
  ]);
  const esp = findings.find((f) => f.code === 'esp-mount-mismatch')!;
  assert.deepEqual(
    esp.fixes?.map((f) => f.title),
    ['Set boot.loader.efi.efiSysMountPoint = "/boot/efi"', 'Mount the ESP at /boot'],
  );
});
