// The install's test seams (NIXKIT_INSTALL_TEST_SEAMS): nothing when unset, a valid file read whole, a bad file an
// error naming the variable and the file (never silently ignored), and `nixkit install --dry-run` with the seams set
// announcing them and planning the seam's nix-build instead of the flake's toplevel.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { describeSeams, loadInstallTestSeams, TEST_SEAMS_ENV } from '../../../engine/install/test-seams';
import type { CliIO } from '../../../cli/io';
import { makeInstallCommand } from '../../../cli/install-command';
import { writeFlake } from './fixtures';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-test-seams-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** Writes TEXT to a fresh file and returns the environment naming it. */
function seamsEnv(text: string): { file: string; env: NodeJS.ProcessEnv } {
  const file = path.join(dir, `seams-${n++}.json`);
  fs.writeFileSync(file, text);
  return { file, env: { [TEST_SEAMS_ENV]: file } };
}

const VALID = {
  buildExpr: {
    file: '/srv/closure/system.nix',
    attr: 'toplevel',
    arg: { inputs: '/srv/closure/inputs' },
    argstr: { name: 'vm' },
  },
  localNix: { store: 'local?root=/srv/closure/store', env: { NIX_CONF_DIR: '/srv/closure/nix-conf' } },
  fuseVfatFallback: true,
};

describe('loadInstallTestSeams', () => {
  it('is undefined when the variable is unset or empty', () => {
    assert.equal(loadInstallTestSeams({}), undefined);
    assert.equal(loadInstallTestSeams({ [TEST_SEAMS_ENV]: '' }), undefined);
  });

  it('reads a valid file: the build, the local store and the FUSE fallback', () => {
    const { file, env } = seamsEnv(JSON.stringify(VALID));
    const s = loadInstallTestSeams(env)!;
    assert.equal(s.source, file);
    assert.deepEqual(s.options, { buildExpr: VALID.buildExpr, localNix: VALID.localNix });
    assert.deepEqual(s.hooks, { fuseVfatFallback: true });
    assert.equal(
      describeSeams(s),
      `test seams from ${TEST_SEAMS_ENV}=${file} are in effect: builds /srv/closure/system.nix instead of the ` +
        "flake's toplevel; local store local?root=/srv/closure/store; ESP through FUSE when the kernel has no vfat",
    );
  });

  it('takes only what the file names', () => {
    const s = loadInstallTestSeams(seamsEnv(JSON.stringify({ fuseVfatFallback: false })).env)!;
    assert.deepEqual(s.options, {});
    assert.deepEqual(s.hooks, {});
    assert.match(describeSeams(s), /are in effect: none$/);
  });

  const bad: [string, string, RegExp][] = [
    [
      'an unknown key',
      JSON.stringify({ ...VALID, partitionDevice: 'loop' }),
      /^[^:]+: \/ must NOT have additional properties \(partitionDevice\)$/,
    ],
    [
      'an unknown key inside buildExpr',
      JSON.stringify({ buildExpr: { file: '/a.nix', expr: 'x' } }),
      /\/buildExpr must NOT have additional properties \(expr\)/,
    ],
    [
      'a relative buildExpr.file',
      JSON.stringify({ buildExpr: { file: 'system.nix' } }),
      /\/buildExpr\/file must match pattern/,
    ],
    [
      'buildExpr without a file',
      JSON.stringify({ buildExpr: {} }),
      /\/buildExpr must have required property 'file'/,
    ],
    [
      'a non-string env value',
      JSON.stringify({ localNix: { env: { A: 1 } } }),
      /\/localNix\/env\/A must be string/,
    ],
    ['text that is not JSON', '{ buildExpr: ', /JSON/],
    ['JSON that is not an object', '[]', /\/ must be object/],
  ];
  for (const [what, text, reason] of bad)
    it(`${what}: an error naming the variable and the file`, () => {
      const { file, env } = seamsEnv(text);
      assert.throws(
        () => loadInstallTestSeams(env),
        (e: unknown) => {
          assert.ok(e instanceof Error);
          assert.ok(e.message.startsWith(`${TEST_SEAMS_ENV}=${file}: `), e.message);
          assert.match(e.message, reason);
          return true;
        },
      );
    });

  it('a file that is not there is an error naming it', () => {
    const file = path.join(dir, 'missing.json');
    assert.throws(
      () => loadInstallTestSeams({ [TEST_SEAMS_ENV]: file }),
      new RegExp(`^Error: ${TEST_SEAMS_ENV}=${file}: ENOENT`),
    );
  });
});

describe('nixkit install with the seams set', () => {
  const flake = writeFlake(path.join(dir, 'flake'));
  const DISK = '/dev/disk/by-id/ata-TEST_1';

  async function run(env: NodeJS.ProcessEnv) {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: (s) => (stdout += s),
      stderr: (s) => (stderr += s),
      cwd: dir,
      env,
      signal: new AbortController().signal,
    };
    // no terminal and no connection: a dry run needs neither
    const code = await makeInstallCommand({ confirm: async () => undefined })(
      ['--flake', `${flake}#demo`, '--target', 'root@h', '--disk', DISK, '--dry-run'],
      io,
    );
    return { code, stdout, stderr };
  }

  it('--dry-run announces them and plans the nix-build of the seam file', async () => {
    const { file, env } = seamsEnv(JSON.stringify(VALID));
    const r = await run(env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `nixkit install: ${describeSeams(loadInstallTestSeams(env)!)}\n`);
    assert.ok(r.stderr.includes(file));
    // the build step's command, exactly, and no flake toplevel build anywhere in the plan
    assert.ok(
      r.stdout.includes(
        "local: nix-build --store 'local?root=/srv/closure/store' /srv/closure/system.nix -A toplevel " +
          '--argstr name vm --arg inputs /srv/closure/inputs --no-out-link',
      ),
      r.stdout,
    );
    assert.doesNotMatch(r.stdout, /nix --extra-experimental-features 'nix-command flakes' build/);
    // everything else still comes from the command line: the disk to erase is in the plan, marked
    assert.match(r.stdout, new RegExp(`target \\[DESTRUCTIVE\\]: wipefs --all ${DISK}`));
    assert.match(r.stdout, /dry run: nothing was run or changed/);
  });

  it('without them, the plan builds the flake', async () => {
    const r = await run({});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(
      r.stdout,
      /local: nix --extra-experimental-features 'nix-command flakes' build .*#nixosConfigurations\.demo\.config\.system\.build\.toplevel/,
    );
  });

  it('a bad seams file stops the install before anything (usage, exit 2)', async () => {
    const { file, env } = seamsEnv(JSON.stringify({ buildExpr: { file: 'relative.nix' } }));
    const r = await run(env);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      new RegExp(`^nixkit install: ${TEST_SEAMS_ENV}=${file}: /buildExpr/file must match`),
    );
  });
});
