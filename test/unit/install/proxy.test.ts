// The install's proxy: which URLs are taken (and how hostile ones are refused without echoing the password), the
// saved form, redaction, the environment, and proxy.nix as Nix reads it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  installProxy,
  parseNoProxy,
  parseProxyUrl,
  proxyEnv,
  proxyForRun,
  proxyModule,
  redactProxy,
  withProxyPassword,
} from '../../../engine/install/proxy';
import { tempDir } from '../../helpers';

describe('proxy URL', () => {
  it('takes http, https, socks5 and socks5h with host and port, and shows the password as ***', () => {
    const p = parseProxyUrl('http://deploy:s3cr%40t@Proxy.Example.com:3128');
    assert.equal(p.shown, 'http://deploy:***@proxy.example.com:3128');
    assert.equal(p.full, 'http://deploy:s3cr%40t@proxy.example.com:3128');
    assert.ok(p.hasPassword);
    assert.deepEqual(p.secrets.sort(), ['s3cr%40t', 's3cr@t'].sort());
    assert.equal(parseProxyUrl('https://10.0.0.1:8443/').shown, 'https://10.0.0.1:8443');
    assert.equal(parseProxyUrl('socks5h://[fd00::1]:1080').shown, 'socks5h://[fd00::1]:1080');
    assert.equal(parseProxyUrl('SOCKS5://user@h:1').shown, 'socks5://user@h:1');
    assert.equal(parseProxyUrl('http://user@h:80').hasPassword, false);
  });

  it('refuses hostile and incomplete URLs with a clear error that never holds the password', () => {
    const cases: [string, RegExp][] = [
      ['ftp://h:21', /scheme is ftp/],
      ['proxy.example.com:3128', /write it as http:\/\/host:port/],
      ['http://h', /names no port/],
      ['http://h:0', /out of range/],
      ['http://h:99999', /out of range/],
      ['http://h:3128/path', /no path, query or fragment/],
      ['http://h:3128?x=1', /no path, query or fragment/],
      ["http://u:pa'ss$(reboot)@h:1", /quotes/],
      ['http://u:zq9\n@h:1', /control characters/],
      ['http://u:pw word@h:1', /spaces/],
      ['http://-oProxyCommand=x:1', /not a host name/],
      ['http://h$(id):1', /shell characters/],
      ['http://u:Wz-91f$(reboot)@h:1', /shell characters/],
      ['http://u:a;b@h:1', /shell characters/],
      ['http://u:p@ss@h:1', /%40/],
      ['http://u:bad%zz@h:1', /malformed %-escape/],
      ['http://:secretpw@h:1', /user name is empty/],
    ];
    for (const [url, why] of cases)
      assert.throws(
        () => parseProxyUrl(url),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'bad-proxy', url);
          assert.match(e.message, why, url);
          for (const pw of ["pa'ss", 'secretpw', 'zq9', 'p@ss', 'bad%zz', 'Wz-91f', 'a;b'])
            assert.ok(!e.message.includes(pw), `${JSON.stringify(url)}: ${e.message}`);
          return true;
        },
      );
  });

  it('checks the no-proxy list', () => {
    assert.deepEqual(parseNoProxy('localhost, .corp.example,10.0.0.0/8 fd00::/8,*'), [
      'localhost',
      '.corp.example',
      '10.0.0.0/8',
      'fd00::/8',
      '*',
    ]);
    assert.throws(() => parseNoProxy('a,$(reboot)'), /not a no-proxy entry/);
    assert.throws(() => parseNoProxy("x'y"), /not a no-proxy entry/);
  });

  it('saves no password, redacts it everywhere, and needs it again to run', () => {
    const p = parseProxyUrl('http://deploy:pw-123@proxy:3128');
    const saved = installProxy(p, ['localhost'], true);
    assert.deepEqual(saved, {
      url: 'http://deploy:***@proxy:3128',
      noProxy: ['localhost'],
      hasPassword: true,
      inConfig: true,
    });
    assert.ok(!JSON.stringify(saved).includes('pw-123'));
    assert.equal(
      redactProxy('curl: (7) proxy http://deploy:pw-123@proxy:3128 said pw-123', p),
      'curl: (7) proxy http://deploy:***@proxy:3128 said «redacted»',
    );
    assert.throws(() => proxyForRun(saved, undefined), /password is not saved: give it again/);
    assert.throws(() => proxyForRun(saved, 'http://other:pw-123@proxy:3128'), /not the one this install/);
    assert.equal(proxyForRun(saved, withProxyPassword(saved.url, 'pw-123')).full, p.full);
    assert.equal(withProxyPassword(saved.url, 'a@b c'), 'http://deploy:a%40b%20c@proxy:3128');
    assert.equal(proxyForRun({ url: 'http://proxy:3128' }, undefined).full, 'http://proxy:3128');
  });

  it('sets both spellings of every variable', () => {
    assert.deepEqual(proxyEnv('http://p:1', ['a', '.b']), {
      http_proxy: 'http://p:1',
      https_proxy: 'http://p:1',
      HTTP_PROXY: 'http://p:1',
      HTTPS_PROXY: 'http://p:1',
      no_proxy: 'a,.b',
      NO_PROXY: 'a,.b',
    });
    assert.equal(proxyEnv('http://p:1').no_proxy, undefined);
  });

  it('writes proxy.nix without the password, as Nix reads it', () => {
    const text = proxyModule(
      installProxy(parseProxyUrl('http://deploy:pw-123@proxy:3128'), ['localhost', '10.0.0.0/8'], true),
    );
    assert.ok(!text.includes('pw-123'));
    assert.match(text, /proxy-credentials-in-store/);
    const dir = tempDir('proxy-module');
    const file = path.join(dir, 'proxy.nix');
    fs.writeFileSync(file, text);
    const out = execFileSync(
      'nix-instantiate',
      ['--eval', '--strict', '--json', '-E', `(import ${file} {}).networking.proxy`],
      { encoding: 'utf8' },
    );
    assert.deepEqual(JSON.parse(out), {
      default: 'http://deploy@proxy:3128',
      noProxy: 'localhost,10.0.0.0/8',
    });
  });
});
