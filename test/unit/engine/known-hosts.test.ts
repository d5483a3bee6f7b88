import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  FileHostKeyStore,
  fingerprint,
  keyAlgorithm,
  knownKeyTypes,
  lookupHostKey,
  parseKnownHosts,
} from '../../../engine/ssh/known-hosts';

/** A syntactically real ssh-ed25519 public key blob with random key bytes. */
function fakeKey(type = 'ssh-ed25519'): Buffer {
  const name = Buffer.from(type);
  const body = crypto.randomBytes(32);
  const len = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([len(name.length), name, len(body.length), body]);
}
function hashed(name: string): string {
  const salt = crypto.randomBytes(20);
  const mac = crypto.createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${mac.toString('base64')}`;
}
const b64 = (k: Buffer) => k.toString('base64');

describe('known_hosts', () => {
  const k1 = fakeKey();
  const k2 = fakeKey();
  const rsa = fakeKey('ssh-rsa');

  it('fingerprints like ssh-keygen -lf and reads the algorithm', () => {
    assert.match(fingerprint(k1), /^SHA256:[A-Za-z0-9+/]{43}$/);
    assert.equal(keyAlgorithm(k1), 'ssh-ed25519');
    assert.equal(keyAlgorithm(Buffer.alloc(2)), 'unknown');
  });

  it('plain, port-qualified, hashed and wildcard entries', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        `a.example,192.0.2.1 ssh-ed25519 ${b64(k1)} comment here`,
        `[b.example]:2222 ssh-ed25519 ${b64(k1)}`,
        `${hashed('c.example')} ssh-ed25519 ${b64(k1)}`,
        `${hashed('[d.example]:2200')} ssh-ed25519 ${b64(k1)}`,
        `*.wild,!bad.wild ssh-ed25519 ${b64(k1)}`,
        'garbage line',
        `@unknown-marker x ssh-ed25519 ${b64(k1)}`,
      ].join('\n'),
    );
    assert.equal(entries.length, 5);
    const st = (h: string, p: number, k: Buffer) => lookupHostKey(entries, h, p, k).status;
    assert.equal(st('a.example', 22, k1), 'known');
    assert.equal(st('A.EXAMPLE', 22, k1), 'known');
    assert.equal(st('192.0.2.1', 22, k1), 'known');
    assert.equal(st('a.example', 2222, k1), 'unknown'); // another port is another host
    assert.equal(st('b.example', 2222, k1), 'known');
    assert.equal(st('b.example', 22, k1), 'unknown');
    assert.equal(st('c.example', 22, k1), 'known');
    assert.equal(st('c.example', 22, k2), 'changed');
    assert.equal(st('d.example', 2200, k1), 'known');
    assert.equal(st('d.example', 22, k1), 'unknown');
    assert.equal(st('x.wild', 22, k1), 'known');
    assert.equal(st('bad.wild', 22, k1), 'unknown');
    assert.equal(st('nowhere', 22, k1), 'unknown');
  });

  it('a different key, or a different key type, for a known host is a change', () => {
    const entries = parseKnownHosts(`h ssh-ed25519 ${b64(k1)}\n`);
    const r = lookupHostKey(entries, 'h', 22, k2);
    assert.equal(r.status, 'changed');
    assert.deepEqual(r.status === 'changed' && r.knownFingerprints, [`ssh-ed25519 ${fingerprint(k1)}`]);
    assert.equal(lookupHostKey(entries, 'h', 22, rsa).status, 'changed');
    assert.deepEqual(knownKeyTypes(entries, 'h', 22), ['ssh-ed25519']);
  });

  it('@revoked wins and @cert-authority does not vouch for plain keys', () => {
    const entries = parseKnownHosts(
      `@revoked * ssh-ed25519 ${b64(k1)}\n@cert-authority h ssh-ed25519 ${b64(k2)}\nh ssh-ed25519 ${b64(k1)}\n`,
    );
    assert.equal(lookupHostKey(entries, 'h', 22, k1).status, 'revoked');
    assert.equal(lookupHostKey(entries, 'other', 22, k2).status, 'unknown');
  });

  it('the store remembers and forgets (plain and hashed lines), keeping other hosts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-kh-'));
    try {
      const file = path.join(dir, 'sub', 'known_hosts');
      const store = new FileHostKeyStore(file);
      assert.deepEqual(store.entries(), []);
      store.add('10.0.0.2', 22, k1);
      store.add('10.0.0.2', 2222, k2);
      fs.appendFileSync(
        file,
        `${hashed('10.0.0.2')} ssh-ed25519 ${b64(k1)}\nkeep.example ssh-ed25519 ${b64(k2)}\n`,
      );
      assert.equal((fs.statSync(file).mode & 0o777).toString(8), '600');
      assert.equal(lookupHostKey(store.entries(), '10.0.0.2', 2222, k2).status, 'known');
      assert.equal(store.forget('10.0.0.2', 22), 2);
      assert.equal(lookupHostKey(store.entries(), '10.0.0.2', 22, k1).status, 'unknown');
      assert.equal(lookupHostKey(store.entries(), '10.0.0.2', 2222, k2).status, 'known');
      assert.equal(lookupHostKey(store.entries(), 'keep.example', 22, k2).status, 'known');
      assert.equal(store.forget('absent', 22), 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
