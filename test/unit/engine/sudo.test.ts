// The sudo password exchange (engine/ssh/sudo.ts): the password is written only when sudo shows this call's prompt,
// and the command's own input flows only after the command started. Run against a fake `sudo` (a sh script that asks,
// or runs the command at once as under a NOPASSWD rule) through the real wrapper, and against an in-memory channel
// that splits every byte into its own chunk.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { shJoin } from '../../../engine/ssh/quote';
import type { ExecOptions, ExecResult } from '../../../engine/ssh/session';
import { execWithSudoPassword, type Exec } from '../../../engine/ssh/sudo';

const PASSWORD = 's3cret-sudo';

const FAKE_SUDO = `#!/bin/sh
while [ $# -gt 0 ]; do case "$1" in -k|-S) shift;; -p) prompt=$2; shift 2;; --) shift; break;; *) break;; esac; done
if [ "$FAKE_SUDO_MODE" = ask ]; then
  n=0
  while :; do
    printf '%s' "$prompt" >&2
    IFS= read -r pw || { echo "sudo: no password was provided" >&2; exit 1; }
    [ "$pw" = "$FAKE_SUDO_PASSWORD" ] && break
    n=$((n+1)); echo "Sorry, try again." >&2
    [ $n -ge 3 ] && { echo "sudo: 3 incorrect password attempts" >&2; exit 1; }
  done
fi
exec "$@"
`;

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-sudo-'));
  fs.writeFileSync(path.join(dir, 'sudo'), FAKE_SUDO, { mode: 0o755 });
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An Exec that runs the command line locally, as the SSH server's shell would, with the fake sudo first on PATH. */
function localExec(mode: 'ask' | 'nopasswd', password = PASSWORD): Exec {
  return (argv, o: ExecOptions) =>
    new Promise<ExecResult>((resolve, reject) => {
      const child = spawn('sh', ['-c', shJoin(argv)], {
        env: {
          ...process.env,
          PATH: `${dir}:${process.env.PATH}`,
          FAKE_SUDO_MODE: mode,
          FAKE_SUDO_PASSWORD: password,
        },
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => {
        err.push(c);
        o.onStderr?.(c);
      });
      child.stdin.on('error', () => undefined);
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`timed out; stderr so far: ${Buffer.concat(err).toString()}`));
      }, 10_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) });
      });
      const input = o.stdin;
      if (input instanceof Readable) input.pipe(child.stdin);
      else child.stdin.end(input ?? '');
    });
}

describe('sudo -S: the password only when sudo asks', () => {
  it('sudo that asks gets the password once; the command gets exactly its own input', async () => {
    const r = await execWithSudoPassword(localExec('ask'), ['cat'], PASSWORD, { stdin: 'payload\n' });
    assert.equal(r.code, 0, r.stderr.toString());
    assert.equal(r.asked, true);
    assert.equal(r.stdout.toString(), 'payload\n');
    assert.equal(r.stderr.toString(), '', 'prompt and marker are not shown');
  });

  it('sudo that does not ask (NOPASSWD): the password never reaches the command', async () => {
    const seen: Buffer[] = [];
    const r = await execWithSudoPassword(
      localExec('nopasswd'),
      ['sh', '-c', 'cat; echo to-stderr >&2'],
      PASSWORD,
      { stdin: 'payload\n', onStderr: (c) => seen.push(c) },
    );
    assert.equal(r.code, 0);
    assert.equal(r.asked, false);
    assert.equal(r.stdout.toString(), 'payload\n');
    assert.ok(!r.stdout.toString().includes(PASSWORD));
    assert.equal(r.stderr.toString(), 'to-stderr\n');
    assert.equal(Buffer.concat(seen).toString(), 'to-stderr\n', 'streamed stderr has no marker either');
  });

  it('a file-writing command under NOPASSWD writes exactly its input, not the password', async () => {
    const file = path.join(dir, 'written');
    const r = await execWithSudoPassword(
      localExec('nopasswd'),
      ['sh', '-c', 'cat > "$1"', 'w', file],
      PASSWORD,
      { stdin: 'content' },
    );
    assert.equal(r.code, 0);
    assert.equal(fs.readFileSync(file, 'utf8'), 'content');
  });

  for (const mode of ['ask', 'nopasswd'] as const)
    it(`a streamed input (2 MiB) arrives whole and unchanged (${mode})`, async () => {
      const data = crypto.randomBytes(2 * 1024 * 1024);
      const r = await execWithSudoPassword(
        localExec(mode),
        ['sh', '-c', 'sha256sum | cut -c1-64'],
        PASSWORD,
        { stdin: Readable.from([data.subarray(0, 1000), data.subarray(1000)]) },
      );
      assert.equal(r.code, 0, r.stderr.toString());
      assert.equal(r.stdout.toString().trim(), crypto.createHash('sha256').update(data).digest('hex'));
    });

  it('a wrong password: sudo asks again, the input is closed instead of hanging, and sudo says why', async () => {
    const r = await execWithSudoPassword(localExec('ask', 'the-right-one'), ['cat'], PASSWORD, {
      stdin: 'payload\n',
    });
    assert.notEqual(r.code, 0);
    assert.equal(r.started, false);
    assert.equal(r.stdout.toString(), '', 'the command never ran and never got its input');
    assert.match(r.stderr.toString(), /Sorry, try again/);
    assert.ok(!r.stderr.toString().includes('[nixkit-sudo'), 'the prompt is not shown');
  });
});

/** An in-memory channel playing sudo: prompt and marker arrive one byte per chunk. */
function bytewiseExec(asks: boolean): { exec: Exec; written: () => string } {
  let written = '';
  const exec: Exec = async (argv, o) => {
    const prompt = argv[argv.indexOf('-p') + 1];
    const marker = argv[argv.indexOf('-c') + 2];
    const input = o.stdin as Readable;
    const chunks: Buffer[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    input.on('data', (c: Buffer) => {
      chunks.push(c);
      written += c.toString();
      wake?.();
    });
    input.on('end', () => {
      ended = true;
      wake?.();
    });
    const until = async (ok: () => boolean) => {
      while (!ok()) await new Promise<void>((r) => (wake = r));
    };
    const emit = (s: string) => {
      for (const b of Buffer.from(s)) o.onStderr?.(Buffer.from([b]));
    };
    emit('lecture\n');
    if (asks) {
      emit(prompt);
      await until(() => Buffer.concat(chunks).includes('\n'));
      const line = Buffer.concat(chunks).toString();
      chunks.length = 0;
      assert.equal(line, PASSWORD + '\n');
    }
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(Buffer.concat(chunks).length, 0, 'no input before the command started');
    emit(marker + 'cmd-err');
    await until(() => ended);
    return { code: 0, stdout: Buffer.concat(chunks), stderr: Buffer.alloc(0) };
  };
  return { exec, written: () => written };
}

describe('sudo -S over a channel that splits every byte', () => {
  for (const asks of [true, false])
    it(`prompt and marker split over chunks are still recognised (${asks ? 'asks' : 'no password'})`, async () => {
      const f = bytewiseExec(asks);
      const r = await execWithSudoPassword(f.exec, ['cat'], PASSWORD, { stdin: Buffer.from('data') });
      assert.equal(r.stdout.toString(), 'data');
      assert.equal(r.stderr.toString(), 'lecture\ncmd-err');
      assert.equal(r.asked, asks);
      assert.equal(f.written(), asks ? `${PASSWORD}\ndata` : 'data');
    });
});

describe('sudo -S: a failing input', () => {
  it('an input stream that fails before sudo let the command run fails the command, without an unhandled error', async () => {
    const failing = new Readable({ read() {} });
    setImmediate(() => failing.destroy(new Error('disk read failed')));
    const exec: Exec = (_argv, o) =>
      new Promise((resolve, reject) => {
        const input = o.stdin as Readable;
        input.on('error', reject);
        input.resume();
        setTimeout(() => resolve({ code: 0, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }), 200);
      });
    await assert.rejects(
      execWithSudoPassword(exec, ['cat'], PASSWORD, { stdin: failing }),
      /disk read failed/,
    );
  });
});
