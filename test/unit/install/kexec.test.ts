// The kexec image folder (a plain folder or an unpacked nixos-images tarball), its command line with nixkit's
// marker, and how a resume tells that the target already runs the kexec'd image.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  cmdlineFromRunScript,
  kexecCmdline,
  KexecError,
  resolveKexecImage,
  runsKexecImage,
} from '../../../engine/install/kexec';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-kexec-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const d = path.join(tmp, name);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, f)), { recursive: true });
    fs.writeFileSync(path.join(d, f), text);
  }
  return d;
}

// The shape of nixos-images' kexec/run (its own kexec binary beside bzImage and initrd).
const RUN = `#!/bin/sh
set -ex
SCRIPT_DIR=$(cd "$(dirname "$0")" && pwd)
"$SCRIPT_DIR/kexec" --load "$SCRIPT_DIR/bzImage" \\
  --kexec-syscall-auto \\
  --initrd="$SCRIPT_DIR/initrd" --no-checks \\
  --command-line "init=/nix/store/abc-nixos-system-nixos-installer/init loglevel=4"
`;

describe('the kexec image', () => {
  it('a folder with bzImage, initrd and cmdline', () => {
    const d = folder('plain', { bzImage: 'k', initrd: 'i', cmdline: 'init=/nix/store/x/init quiet\n' });
    assert.deepEqual(resolveKexecImage(d), {
      kernel: path.join(d, 'bzImage'),
      initrd: path.join(d, 'initrd'),
      cmdline: 'init=/nix/store/x/init quiet',
    });
  });

  it('an unpacked nixos-images tarball: kexec/ with the command line taken from kexec/run', () => {
    const d = folder('tarball', { 'kexec/bzImage': 'k', 'kexec/initrd': 'i', 'kexec/run': RUN });
    const image = resolveKexecImage(d);
    assert.equal(image.kernel, path.join(d, 'kexec', 'bzImage'));
    assert.equal(image.cmdline, 'init=/nix/store/abc-nixos-system-nixos-installer/init loglevel=4');
    assert.equal(cmdlineFromRunScript("kexec -l k --append='a b'"), 'a b');
    assert.equal(cmdlineFromRunScript('kexec -e'), undefined);
  });

  it('refuses what is not an image, saying what is missing', () => {
    assert.throws(() => resolveKexecImage(path.join(tmp, 'nope')), /does not exist/);
    const file = folder('file', { 'image.tar.gz': 'x' });
    assert.throws(() => resolveKexecImage(path.join(file, 'image.tar.gz')), /not a folder: unpack/);
    assert.throws(
      () => resolveKexecImage(folder('nokernel', { initrd: 'i', cmdline: 'x' })),
      (e: unknown) =>
        e instanceof KexecError && /has no kernel and initrd: it needs bzImage or/.test(e.message),
    );
    assert.throws(
      () => resolveKexecImage(folder('nocmdline', { bzImage: 'k', initrd: 'i' })),
      /has no kernel command line: write it into .*nocmdline\/cmdline/,
    );
  });

  it("the marker on the command line tells the kexec'd image from the old system", () => {
    const image = { kernel: '/k', initrd: '/i', cmdline: 'root=UUID=1 rw' };
    const cmdline = kexecCmdline(image, { id: 'abc' });
    assert.equal(cmdline, 'root=UUID=1 rw nixkit.kexec=abc');
    assert.equal(runsKexecImage(cmdline, { id: 'abc' }), true);
    // the same image before the kexec, or another install's kexec, is not it
    assert.equal(runsKexecImage('root=UUID=1 rw', { id: 'abc' }), false);
    assert.equal(runsKexecImage('root=UUID=1 rw nixkit.kexec=abcd', { id: 'abc' }), false);
  });
});
