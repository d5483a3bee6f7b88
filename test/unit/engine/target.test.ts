import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TargetSyntaxError } from '../../../engine/errors';
import { parseTarget, resolveTarget } from '../../../engine/ssh/target';

describe('parseTarget', () => {
  const ok: [string, { user?: string; host: string; port?: number }][] = [
    ['host', { user: undefined, host: 'host', port: undefined }],
    ['root@10.0.0.1', { user: 'root', host: '10.0.0.1', port: undefined }],
    ['root@example.org:2222', { user: 'root', host: 'example.org', port: 2222 }],
    ['admin@[fe80::1%eth0]:22', { user: 'admin', host: 'fe80::1%eth0', port: 22 }],
    ['[2001:db8::1]', { user: undefined, host: '2001:db8::1', port: undefined }],
    ['2001:db8::1', { user: undefined, host: '2001:db8::1', port: undefined }],
    ['  my_alias  ', { user: undefined, host: 'my_alias', port: undefined }],
  ];
  for (const [text, want] of ok)
    it(`parses ${JSON.stringify(text)}`, () => assert.deepEqual(parseTarget(text), want));

  const bad = [
    '',
    '-oProxyCommand=touch /tmp/x',
    'root@-oProxyCommand=x',
    'host;rm -rf /',
    'root@$(touch /tmp/x)',
    'a b',
    'host:0',
    'host:65536',
    'host:22x',
    'root@[::1',
    '[::1]x',
    'us er@host',
    'host\nname',
    "ho'st",
    '`id`@host',
  ];
  for (const text of bad) {
    it(`rejects ${JSON.stringify(text)} with a clear error`, () => {
      assert.throws(
        () => parseTarget(text),
        (e: Error) => e instanceof TargetSyntaxError && e.message.length > 10 && !e.message.includes('\n'),
      );
    });
  }
});

describe('resolveTarget with ssh_config', () => {
  const config = `
Host box
  HostName 192.0.2.7
  User admin
  Port 2200
  IdentityFile ~/.ssh/box_key
  IdentityFile /etc/keys/other
  ProxyJump jump@bastion:2222

Host evil
  HostName -oProxyCommand=x

Host *
  User fallback
`;
  it('applies HostName, User, Port, IdentityFile (~ expanded) and ProxyJump', () => {
    const r = resolveTarget('box', { sshConfigText: config, homeDir: '/home/me' });
    assert.equal(r.host, '192.0.2.7');
    assert.equal(r.user, 'admin');
    assert.equal(r.port, 2200);
    assert.deepEqual(r.identityFiles, ['/home/me/.ssh/box_key', '/etc/keys/other']);
    assert.deepEqual(r.proxyJump, [{ user: 'jump', host: 'bastion', port: 2222 }]);
    assert.equal(r.alias, 'box');
  });
  it('explicit user, port and identity win', () => {
    const r = resolveTarget('root@box:2201', { sshConfigText: config, homeDir: '/h', identityFiles: ['/k'] });
    assert.equal(r.user, 'root');
    assert.equal(r.port, 2201);
    assert.equal(r.identityFiles[0], '/k');
    const p = resolveTarget('box', { sshConfigText: config, homeDir: '/h', port: 1 });
    assert.equal(p.port, 1);
  });
  it('falls back to Host * and then to root', () => {
    assert.equal(resolveTarget('other', { sshConfigText: config }).user, 'fallback');
    assert.equal(resolveTarget('other', { sshConfigText: '' }).user, 'root');
    assert.equal(resolveTarget('other', { sshConfigText: '' }).port, 22);
  });
  it('rejects a hostile HostName from the config', () => {
    assert.throws(() => resolveTarget('evil', { sshConfigText: config }), TargetSyntaxError);
  });
});
