// SSH against the namespace target: the authentication matrix, host keys (TOFU, remembered, changed, forgotten),
// root through sudo, dropped connections and cancellation. Needs root (namespaces, loop devices).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AuthFailedError,
  CancelledError,
  ConnectionLostError,
  HostKeyChangedError,
  HostKeyRejectedError,
  NoRootError,
  TimeoutError,
} from '../../engine/errors';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import { execWithSudoPassword } from '../../engine/ssh/sudo';
import { Session, type ConnectOptions } from '../../engine/ssh/session';
import {
  FakePrompter,
  killSshSessions,
  resolved,
  restartSshd,
  startNetnsTarget,
  testConnectOptions,
  type TestTarget,
} from './netns-target';

const T = { timeout: 30_000 };
let t: TestTarget;
let stop: () => void;
let dir: string;

before(
  () => {
    ({ target: t, stop } = startNetnsTarget());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-ssh-test-'));
  },
  { timeout: 90_000 },
);
after(
  () => {
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 60_000 },
);

function options(user: string, extra: Partial<ConnectOptions> = {}): ConnectOptions {
  return testConnectOptions(t, dir, user, extra);
}

async function whoami(s: Session): Promise<string> {
  const r = await s.execAsRoot(['id', '-un'], { timeoutMs: 10_000 });
  return r.stdout.toString().trim();
}

describe('authentication', () => {
  it('root with a key', T, async () => {
    const s = await Session.connect(options('root'));
    try {
      const r = await s.exec(['sh', '-c', 'echo out; echo err >&2; exit 7']);
      assert.equal(r.code, 7);
      assert.equal(r.stdout.toString(), 'out\n');
      assert.equal(r.stderr.toString(), 'err\n');
      assert.equal(await s.ensureRoot(), 'root');
    } finally {
      s.close();
    }
  });

  it('a key with a passphrase asks the prompter for it', T, async () => {
    const prompter = new FakePrompter({ passphrase: t.passphrase });
    const s = await Session.connect(
      options('root', { prompter, target: resolved(t, 'root', [t.identityWithPassphrase]) }),
    );
    s.close();
    assert.deepEqual(prompter.asked, [`passphrase:${t.identityWithPassphrase}`]);
  });

  it('password (given up front), never prompting', T, async () => {
    const prompter = new FakePrompter();
    const s = await Session.connect(
      options(t.users.password, {
        password: t.password,
        prompter,
        target: resolved(t, t.users.password, []),
      }),
    );
    try {
      assert.equal((await s.exec(['id', '-un'])).stdout.toString().trim(), t.users.password);
      assert.deepEqual(prompter.asked, []);
    } finally {
      s.close();
    }
  });

  it('password prompted when not given', T, async () => {
    const prompter = new FakePrompter({ password: t.password });
    const s = await Session.connect(
      options(t.users.password, { prompter, target: resolved(t, t.users.password, []) }),
    );
    s.close();
    assert.equal(prompter.asked.length, 1);
    assert.match(prompter.asked[0], /^password:/);
  });

  it('keyboard-interactive (PAM) through the prompter', T, async () => {
    const prompter = new FakePrompter({ keyboard: [t.password] });
    const s = await Session.connect(
      options(t.users.keyboardInteractive, {
        prompter,
        target: resolved(t, t.users.keyboardInteractive, []),
      }),
    );
    try {
      assert.equal((await s.exec(['id', '-un'])).stdout.toString().trim(), t.users.keyboardInteractive);
      assert.ok(
        prompter.asked.some((a) => a.startsWith('keyboard:')),
        prompter.asked.join(),
      );
    } finally {
      s.close();
    }
  });

  it('keyboard-interactive answered with a known password', T, async () => {
    const s = await Session.connect(
      options(t.users.keyboardInteractive, {
        password: t.password,
        target: resolved(t, t.users.keyboardInteractive, []),
      }),
    );
    s.close();
  });

  it('a wrong password is AuthFailedError, and the password is not in the message', T, async () => {
    const wrong = 'wrong-Secret-123';
    await assert.rejects(
      Session.connect(
        options(t.users.password, { password: wrong, target: resolved(t, t.users.password, []) }),
      ),
      (e: Error) => e instanceof AuthFailedError && !e.message.includes(wrong),
    );
  });

  it('sudo without a password', T, async () => {
    const s = await Session.connect(options(t.users.sudo));
    try {
      assert.equal(await s.ensureRoot(), 'sudo-nopasswd');
      assert.equal(await whoami(s), 'root');
    } finally {
      s.close();
    }
  });

  it('sudo with a password (prompted), fed on stdin, and stdin still reaches the command', T, async () => {
    const prompter = new FakePrompter({ password: t.sudoPassword });
    const s = await Session.connect(options(t.users.sudoPassword, { prompter }));
    try {
      assert.equal(await s.ensureRoot(), 'sudo-password');
      assert.equal(await whoami(s), 'root');
      const r = await s.execAsRoot(['cat'], { stdin: 'payload\n', timeoutMs: 10_000 });
      assert.equal(r.stdout.toString(), 'payload\n');
      const ps = await s.exec(['ps', '-eo', 'args']);
      assert.ok(
        !ps.stdout.toString().includes(t.sudoPassword),
        'the sudo password must not be on a command line',
      );
    } finally {
      s.close();
    }
  });

  it(
    'sudo -S under a NOPASSWD rule does not ask: the password is never sent, the command gets only its input',
    T,
    async () => {
      // The real sudo of the target with nk-sudo's NOPASSWD rule, driven as in password mode: the case where sending
      // the password up front would make it the first line a file-writing command writes.
      const s = await Session.connect(options(t.users.sudo));
      try {
        const file = `/tmp/nk-sudo-nopasswd-${process.pid}`;
        const r = await execWithSudoPassword(
          (a, o) => s.exec(a, o),
          ['sh', '-c', 'cat > "$1"; id -un', 'w', file],
          'pw-never-sent',
          {
            stdin: 'only this\n',
            timeoutMs: 10_000,
          },
        );
        assert.equal(r.code, 0, r.stderr.toString());
        assert.equal(r.asked, false);
        assert.equal(r.stdout.toString(), 'root\n');
        assert.equal(r.stderr.toString(), '');
        const written = await s.exec(['sh', '-c', 'cat "$1"; rm -f "$1"', 'r', file], { timeoutMs: 10_000 });
        assert.equal(written.stdout.toString(), 'only this\n');
      } finally {
        s.close();
      }
    },
  );

  it('sudo -S that asks: the password answers its prompt, the prompt is not in the output', T, async () => {
    const s = await Session.connect(options(t.users.sudoPassword, { sudoPassword: t.sudoPassword }));
    try {
      assert.equal(await s.ensureRoot(), 'sudo-password');
      const seen: Buffer[] = [];
      const r = await s.execAsRoot(['sh', '-c', 'cat; id -un >&2'], {
        stdin: 'payload\n',
        timeoutMs: 10_000,
        onStderr: (c) => seen.push(c),
      });
      assert.equal(r.code, 0);
      assert.equal(r.stdout.toString(), 'payload\n');
      assert.equal(r.stderr.toString(), 'root\n');
      assert.equal(Buffer.concat(seen).toString(), 'root\n');
    } finally {
      s.close();
    }
  });

  it('sudo with a wrong password is AuthFailedError', T, async () => {
    const s = await Session.connect(options(t.users.sudoPassword, { sudoPassword: 'not-it' }));
    try {
      await assert.rejects(s.ensureRoot(), AuthFailedError);
    } finally {
      s.close();
    }
  });

  it('no sudo rights is NoRootError', T, async () => {
    const s = await Session.connect(options(t.users.noSudo));
    try {
      await assert.rejects(
        s.ensureRoot(),
        (e: Error) => e instanceof NoRootError && /neither root nor/.test(e.message),
      );
    } finally {
      s.close();
    }
  });
});

describe('host keys', () => {
  it(
    'unknown key: prompted with its SHA256 fingerprint, remembered, then not prompted again',
    T,
    async () => {
      const store = new FileHostKeyStore(path.join(dir, 'tofu_known_hosts'));
      const p1 = new FakePrompter({ trust: true });
      (await Session.connect(options('root', { hostKeyStore: store, prompter: p1 }))).close();
      assert.deepEqual(p1.asked, [`hostkey:${t.fingerprint}`]);
      const p2 = new FakePrompter({ trust: true });
      (await Session.connect(options('root', { hostKeyStore: store, prompter: p2 }))).close();
      assert.deepEqual(p2.asked, []);
    },
  );

  it('declined unknown key: HostKeyRejectedError, nothing remembered', T, async () => {
    const store = new FileHostKeyStore(path.join(dir, 'declined_known_hosts'));
    await assert.rejects(
      Session.connect(options('root', { hostKeyStore: store, prompter: new FakePrompter({ trust: false }) })),
      HostKeyRejectedError,
    );
    assert.equal(store.entries().length, 0);
  });

  it(
    'changed key (sshd restarted with new keys): refused without a prompt; forget, then accept',
    T,
    async () => {
      const store = new FileHostKeyStore(path.join(dir, 'changed_known_hosts'));
      (
        await Session.connect(
          options('root', { hostKeyStore: store, prompter: new FakePrompter({ trust: true }) }),
        )
      ).close();
      restartSshd(t, 'changed');
      try {
        const p = new FakePrompter({ trust: true });
        await assert.rejects(
          Session.connect(options('root', { hostKeyStore: store, prompter: p, acceptNewHostKey: true })),
          (e: Error) => {
            assert.ok(e instanceof HostKeyChangedError);
            assert.match(e.message, /CHANGED/);
            assert.match(e.message, /every boot/);
            assert.ok(e.message.includes(t.changedFingerprint));
            return true;
          },
        );
        assert.deepEqual(p.asked, [], 'a changed key must not be offered for acceptance');
        assert.equal(store.forget(t.host, t.port), 1);
        const p2 = new FakePrompter({ trust: true });
        (await Session.connect(options('root', { hostKeyStore: store, prompter: p2 }))).close();
        assert.deepEqual(p2.asked, [`hostkey:${t.changedFingerprint}`]);
      } finally {
        restartSshd(t, 'primary');
      }
    },
  );

  it("a changed key in the user's known_hosts is refused too", T, async () => {
    const userFile = path.join(dir, 'user_known_hosts');
    const other = fs
      .readFileSync(path.join(t.stateDir, 'hostkeys', 'changed', 'ssh_host_ed25519_key.pub'), 'utf8')
      .split(' ');
    fs.writeFileSync(userFile, `${t.host} ${other[0]} ${other[1]}\n`);
    await assert.rejects(
      Session.connect(options('root', { userKnownHostsFiles: [userFile] })),
      HostKeyChangedError,
    );
  });
});

describe('robustness', () => {
  it('a dropped connection mid-command is ConnectionLostError, without hanging', T, async () => {
    const s = await Session.connect(options('root', { keepaliveIntervalMs: 1000, keepaliveCountMax: 2 }));
    const running = s.exec(['sleep', '30'], { timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(killSshSessions(t) > 0);
    // Not hanging is the error's kind, not a stopwatch (a busy machine is slow): a hang would end in the command's
    // TimeoutError after 20 s.
    await assert.rejects(running, ConnectionLostError);
    await assert.rejects(s.exec(['true']), ConnectionLostError);
    s.close();
  });

  it('cancellation through an AbortSignal stops a running command', T, async () => {
    const s = await Session.connect(options('root'));
    try {
      const ac = new AbortController();
      const running = s.exec(['sleep', '30'], { signal: ac.signal });
      setTimeout(() => ac.abort(), 300);
      await assert.rejects(running, CancelledError);
      // the session stays usable
      assert.equal((await s.exec(['echo', 'still here'])).stdout.toString(), 'still here\n');
    } finally {
      s.close();
    }
  });

  it('cancelling before connecting', T, async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(Session.connect(options('root', { signal: ac.signal })), CancelledError);
  });

  it('a command timeout is TimeoutError', T, async () => {
    const s = await Session.connect(options('root'));
    try {
      await assert.rejects(s.exec(['sleep', '30'], { timeoutMs: 300 }), TimeoutError);
    } finally {
      s.close();
    }
  });

  it('hostile arguments are passed through quoting unchanged', T, async () => {
    const s = await Session.connect(options('root'));
    try {
      const hostile = [`a'b"c$(touch ${t.marker})\`id\`\n\\$HOME;|&<>*?`, '', ' ', '-n'];
      const r = await s.exec(['printf', '%s\\0', ...hostile]);
      assert.deepEqual(r.stdout.toString().split('\0').slice(0, -1), hostile);
      assert.ok(!fs.existsSync(t.marker));
    } finally {
      s.close();
    }
  });
});
