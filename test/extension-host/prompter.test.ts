// The VS Code side of the SSH engine, inside a real extension host: the Prompter keeps passwords in the extension's
// SecretStorage (only once they worked, keyed by target, forgotten after a failed login, never read from settings),
// asks keyboard-interactive questions, shows the host key fingerprint with the trust-on-first-use explanation, and
// forgets a changed key only after two explicit confirmations.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HostKeyChangedError } from '../../engine/errors';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import type { NixkitTestApi } from '../../extension/main';
import { secretKey } from '../../extension/secrets';
import {
  FORGET_BUTTON,
  FORGET_CONFIRM_BUTTON,
  TRUST_BUTTON,
  VscodePrompter,
  handleHostKeyChanged,
  type PromptUi,
} from '../../extension/vscode-prompter';
import { EXTENSION_ID } from './util';

/** A scripted UI: answers input boxes and modals from queues, and records what was shown. */
class ScriptedUi implements PromptUi {
  inputs: vscode.InputBoxOptions[] = [];
  modals: { level: string; message: string; detail: string; buttons: string[] }[] = [];
  constructor(
    private readonly answers: (string | undefined)[] = [],
    private readonly choices: (string | undefined)[] = [],
  ) {}
  async input(options: vscode.InputBoxOptions) {
    this.inputs.push(options);
    return this.answers.shift();
  }
  async modal(level: 'warning' | 'error', message: string, detail: string, ...buttons: string[]) {
    this.modals.push({ level, message, detail, buttons });
    return this.choices.shift();
  }
}

describe('VS Code prompter and secret storage', () => {
  let secrets: vscode.SecretStorage;
  const t1 = { user: 'root', host: '192.0.2.1', port: 22 };
  const t2 = { user: 'root', host: '192.0.2.2', port: 2222 };
  const cleanup: string[] = [];

  before(async () => {
    const ext = vscode.extensions.getExtension<NixkitTestApi | undefined>(EXTENSION_ID);
    assert.ok(ext, 'nixkit is not loaded');
    const api = await ext.activate();
    assert.ok(api?.secrets, 'activate() returns the secret storage in extension tests');
    secrets = api.secrets;
    for (const t of [t1, t2]) {
      const id = `${t.user}@${t.host}:${t.port}`;
      cleanup.push(secretKey('password', id), secretKey('sudo-password', id));
    }
    cleanup.push(secretKey('passphrase', '/keys/id_test'));
    for (const k of cleanup) await secrets.delete(k);
  });

  after(async () => {
    for (const k of cleanup) await secrets.delete(k);
  });

  it('asks for a password with a hidden input box and remembers it only after commit()', async () => {
    const ui = new ScriptedUi(['pw-1']);
    const p = new VscodePrompter(secrets, t1, ui);
    assert.equal(await p.password('Password for root@192.0.2.1'), 'pw-1');
    assert.equal(ui.inputs.length, 1);
    assert.equal(ui.inputs[0].password, true, 'the input box hides what is typed');
    assert.equal(await secrets.get(secretKey('password', 'root@192.0.2.1:22')), undefined, 'not stored yet');

    const again = new ScriptedUi(['pw-other']);
    assert.equal(await new VscodePrompter(secrets, t1, again).password('Password for x'), 'pw-other');

    await p.commit();
    assert.equal(await secrets.get(secretKey('password', 'root@192.0.2.1:22')), 'pw-1');
    const cached = new ScriptedUi([]);
    assert.equal(await new VscodePrompter(secrets, t1, cached).password('Password for x'), 'pw-1');
    assert.equal(cached.inputs.length, 0, 'a remembered password is not asked again');
  });

  it('keys secrets by target and kind', async () => {
    const ui = new ScriptedUi(['pw-2', 'sudo-2']);
    const p = new VscodePrompter(secrets, t2, ui);
    assert.equal(await p.password('Password for root@192.0.2.2'), 'pw-2', 'another target is asked');
    assert.equal(await p.password('sudo password for root@192.0.2.2'), 'sudo-2', 'sudo is asked separately');
    assert.equal(ui.inputs.length, 2);
    await p.commit();
    assert.equal(await secrets.get(secretKey('sudo-password', 'root@192.0.2.2:2222')), 'sudo-2');
    assert.equal(await secrets.get(secretKey('password', 'root@192.0.2.1:22')), 'pw-1', 'untouched');
  });

  it('forgets what a failed connection used, so the next attempt asks again', async () => {
    const p = new VscodePrompter(secrets, t1, new ScriptedUi([]));
    assert.equal(await p.password('Password for root@192.0.2.1'), 'pw-1');
    await p.forgetUsed();
    assert.equal(await secrets.get(secretKey('password', 'root@192.0.2.1:22')), undefined);
    const ui = new ScriptedUi(['pw-new']);
    assert.equal(await new VscodePrompter(secrets, t1, ui).password('Password for x'), 'pw-new');
    assert.equal(ui.inputs.length, 1);
  });

  it('never takes a secret from settings', async () => {
    // Even with a password-looking setting in the workspace, the prompter asks (and only SecretStorage remembers).
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const settings = path.join(folder.uri.fsPath, '.vscode', 'settings.json');
    fs.mkdirSync(path.dirname(settings), { recursive: true });
    const before = fs.existsSync(settings) ? fs.readFileSync(settings, 'utf8') : undefined;
    fs.writeFileSync(
      settings,
      JSON.stringify({ 'nixkit.ssh.password': 'from-settings', 'nixkit.password': 'from-settings' }),
    );
    try {
      const ui = new ScriptedUi(['typed']);
      const p = new VscodePrompter(secrets, t2, ui);
      assert.equal(await p.passphrase('/keys/id_test'), 'typed');
      assert.equal(ui.inputs.length, 1);
      await p.commit();
      assert.equal(await secrets.get(secretKey('passphrase', '/keys/id_test')), 'typed');
      const config = JSON.stringify(vscode.workspace.getConfiguration('nixkit'));
      assert.ok(!config.includes('typed'), 'a secret ended up in the configuration');
    } finally {
      if (before === undefined) fs.rmSync(settings);
      else fs.writeFileSync(settings, before);
    }
  });

  it('answers PAM’s password prompt like a password, and asks one-time codes every time', async () => {
    const ui = new ScriptedUi(['123456']);
    const p = new VscodePrompter(secrets, t2, ui);
    assert.deepEqual(
      await p.keyboardInteractive('', '', [{ prompt: 'Password: ', echo: false }]),
      ['pw-2'],
      'the remembered login password answers PAM’s Password: prompt',
    );
    assert.deepEqual(
      await p.keyboardInteractive('MFA', 'Check your phone', [{ prompt: 'Verification code: ', echo: true }]),
      ['123456'],
    );
    assert.equal(ui.inputs.length, 1);
    assert.equal(ui.inputs[0].password, false, 'an echoed prompt is shown as typed');
    assert.match(String(ui.inputs[0].prompt), /Check your phone/);
    await p.commit();
    assert.equal(await secrets.get(secretKey('password', 'root@192.0.2.2:2222')), 'pw-2');
  });

  it('shows the host key fingerprint and the TOFU explanation, and trusts only on the button', async () => {
    const info = { host: '192.0.2.1', port: 22, algorithm: 'ssh-ed25519', fingerprint: 'SHA256:abc' };
    const yes = new ScriptedUi([], [TRUST_BUTTON]);
    assert.equal(await new VscodePrompter(secrets, t1, yes).confirmHostKey(info), true);
    assert.match(yes.modals[0].detail, /SHA256:abc/);
    assert.match(yes.modals[0].detail, /trust on first use/);
    assert.match(yes.modals[0].detail, /new host keys on every boot/);
    assert.equal(
      await new VscodePrompter(secrets, t1, new ScriptedUi([], [undefined])).confirmHostKey(info),
      false,
    );
  });

  it('forgets a changed key only after a second explicit confirmation', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-suite-'));
    try {
      const store = new FileHostKeyStore(path.join(dir, 'known_hosts'));
      const key = Buffer.concat([
        Buffer.from([0, 0, 0, 11]),
        Buffer.from('ssh-ed25519'),
        Buffer.alloc(36, 7),
      ]);
      store.add('192.0.2.1', 22, key);
      const err = new HostKeyChangedError(
        '192.0.2.1',
        22,
        'ssh-ed25519',
        'SHA256:new',
        ['ssh-ed25519 SHA256:old'],
        store.path,
      );

      const declined = new ScriptedUi([], [FORGET_BUTTON, undefined]);
      assert.equal(await handleHostKeyChanged(err, store, declined), false);
      assert.equal(store.entries().length, 1, 'one click does not forget');
      assert.equal(declined.modals[0].level, 'error');
      assert.match(declined.modals[0].message, /has CHANGED/);
      assert.match(declined.modals[0].detail, /SHA256:new[\s\S]*SHA256:old/);
      assert.match(declined.modals[0].detail, /new host keys on every boot/);
      assert.deepEqual(declined.modals[0].buttons, [FORGET_BUTTON]);

      assert.equal(await handleHostKeyChanged(err, store, new ScriptedUi([], [undefined])), false);
      assert.equal(store.entries().length, 1);

      const confirmed = new ScriptedUi([], [FORGET_BUTTON, FORGET_CONFIRM_BUTTON]);
      assert.equal(await handleHostKeyChanged(err, store, confirmed), true);
      assert.equal(store.entries().length, 0);
      assert.match(confirmed.modals[1].detail, /SHA256:new/);

      // A key recorded in OpenSSH's own file is not nixkit's to forget: no button, instructions instead.
      const foreign = new HostKeyChangedError(
        '192.0.2.1',
        2222,
        'ssh-ed25519',
        'SHA256:new',
        [],
        '/root/.ssh/known_hosts',
      );
      const ui = new ScriptedUi([], []);
      assert.equal(await handleHostKeyChanged(foreign, store, ui), false);
      assert.deepEqual(ui.modals[0].buttons, []);
      assert.match(ui.modals[0].detail, /ssh-keygen -R '\[192\.0\.2\.1\]:2222'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
