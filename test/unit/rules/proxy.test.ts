// proxy-credentials-in-store: a password in a networking.proxy URL is reported without repeating the password;
// a URL with a user name only, or none, is not a finding.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { tempDir } from '../../helpers';

async function proxyFindings(binding: string) {
  const dir = tempDir('proxy');
  fs.writeFileSync(
    path.join(dir, 'configuration.nix'),
    `{ ... }:\n{\n  ${binding}\n  system.stateVersion = "24.11";\n}\n`,
  );
  const result = await checkPaths([dir]);
  fs.rmSync(dir, { recursive: true, force: true });
  return result.findings.filter((f) => f.code === 'proxy-credentials-in-store');
}

test('a password in any proxy URL is found, and the message does not repeat it', async () => {
  for (const option of ['default', 'httpsProxy', 'allProxy']) {
    const [f, ...rest] = await proxyFindings(
      `networking.proxy.${option} = "http://deploy:Tr0ub4dor@proxy.example.com:3128/";`,
    );
    assert.equal(rest.length, 0);
    assert.match(
      f.message,
      new RegExp(`networking\\.proxy\\.${option} carries a password \\(http://deploy:…@proxy`),
    );
    assert.doesNotMatch(f.message, /Tr0ub4dor/);
    assert.equal(f.severity, 'information');
  }
});

test('no password, a user name alone, or a value nixkit cannot read: no finding', async () => {
  for (const binding of [
    'networking.proxy.default = "http://proxy.example.com:3128";',
    'networking.proxy.default = "http://deploy@proxy.example.com:3128";',
    'networking.proxy.noProxy = "user:pass@not-a-url";',
    'networking.proxy.default = builtins.readFile /run/secrets/proxy;',
  ])
    assert.deepEqual(await proxyFindings(binding), [], binding);
});
