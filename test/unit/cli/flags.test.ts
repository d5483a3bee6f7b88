// The flag handling the subcommands share (cli/flags.ts): usage on a mistake, --help, the SSH flags of probe and
// install with the same messages, secrets only from environment variables, and one probe-file reader for check
// and hwconfig.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkCommand } from '../../../cli/check-command';
import { hwconfigCommand } from '../../../cli/hwconfig-command';
import { installCommand } from '../../../cli/install-command';
import { probeCommand } from '../../../cli/probe-command';
import type { Subcommand } from '../../../cli/io';
import { tempDir } from '../../helpers';

async function run(cmd: Subcommand, args: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  let stdout = '';
  let stderr = '';
  const code = await cmd(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd,
    env,
    signal: new AbortController().signal,
  });
  return { code, stdout, stderr };
}

test('every subcommand: --help prints its usage, an unknown flag prints the usage with the reason', async () => {
  for (const [name, cmd] of [
    ['check', checkCommand],
    ['hwconfig', hwconfigCommand],
    ['probe', probeCommand],
    ['install', installCommand],
  ] as const) {
    const help = await run(cmd, ['-h']);
    assert.equal(help.code, 0, name);
    assert.match(help.stdout, new RegExp(`^usage: nixkit ${name} `), name);
    const bad = await run(cmd, ['--no-such-flag']);
    assert.equal(bad.code, 2, name);
    assert.match(
      bad.stderr,
      new RegExp(`^nixkit ${name}: .*--no-such-flag[\\s\\S]*usage: nixkit ${name} `),
      name,
    );
  }
});

test('probe and install read the SSH flags alike: port range, secrets from set environment variables only', async () => {
  for (const [name, cmd, extra] of [
    ['probe', probeCommand, ['root@192.0.2.1']],
    ['install', installCommand, ['--flake', '.#x', '--target', 'root@192.0.2.1', '--dry-run']],
  ] as const) {
    const port = await run(cmd, [...extra, '--port', '70000']);
    assert.equal(port.code, 2, name);
    assert.equal(port.stderr, `nixkit ${name}: --port needs a number from 1 to 65535\n`, name);
    const env = await run(cmd, [...extra, '--password-env', 'NIXKIT_TEST_UNSET']);
    assert.equal(env.code, 2, name);
    assert.equal(
      env.stderr,
      `nixkit ${name}: --password-env NIXKIT_TEST_UNSET: that environment variable is not set\n`,
      name,
    );
  }
});

test('hwconfig reads the probe file as check --probe does: one message for a missing or foreign file', async () => {
  const dir = tempDir('flags');
  const missing = await run(hwconfigCommand, ['nothing.json'], {}, dir);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'nixkit hwconfig: nothing.json: cannot read it (no such file)\n');
  fs.writeFileSync(path.join(dir, 'other.json'), '{"version": 7}');
  const foreign = await run(hwconfigCommand, ['other.json'], {}, dir);
  assert.equal(foreign.code, 2);
  assert.match(foreign.stderr, /^nixkit hwconfig: other\.json: not a nixkit probe report \(version 1\): /);
});
