import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  cleanSeverities,
  commonFolder,
  findProjectConfig,
  parseProjectConfig,
  ruleSettings,
} from '../../../server/analysis/project-config';
import { main } from '../../../cli/main';
import { tempDir } from '../../helpers';

test('project config: nixkit.toml and .nixkit.json give rule severities', () => {
  const toml = parseProjectConfig(
    '/r/nixkit.toml',
    '[rules]\nesp-mount-mismatch = "warning"\nunstable-device-path = "off"\n',
  );
  assert.deepEqual(toml, {
    ok: true,
    file: '/r/nixkit.toml',
    config: { rules: { 'esp-mount-mismatch': 'warning', 'unstable-device-path': 'off' } },
    warnings: [],
  });
  const json = parseProjectConfig('/r/.nixkit.json', '{"rules": {"esp-mount-mismatch": "hint"}}');
  assert.ok(json.ok && json.config.rules['esp-mount-mismatch'] === 'hint');
  const empty = parseProjectConfig('/r/nixkit.toml', '# nothing yet\n');
  assert.ok(empty.ok && Object.keys(empty.config.rules).length === 0);
});

test('project config: broken files give one clear message, with a position when there is one', () => {
  const syntax = parseProjectConfig('/r/nixkit.toml', '[rules]\nesp-mount-mismatch = "warning\n');
  assert.ok(!syntax.ok);
  assert.match(syntax.message, /^not valid TOML: /);
  assert.equal(syntax.range?.start.line, 1);
  const severity = parseProjectConfig('/r/nixkit.toml', '[rules]\nesp-mount-mismatch = "warn"\n');
  assert.ok(!severity.ok);
  assert.equal(
    severity.message,
    'rules.esp-mount-mismatch: the severity must be one of "error", "warning", "information", "hint", "off"',
  );
  const key = parseProjectConfig('/r/.nixkit.json', '{"rule": {}}');
  assert.ok(!key.ok);
  assert.match(key.message, /unknown setting "rule"/);
  const json = parseProjectConfig('/r/.nixkit.json', '{"rules": }');
  assert.ok(!json.ok);
  assert.match(json.message, /^not valid JSON: /);
  const shape = parseProjectConfig('/r/.nixkit.json', '[1]');
  assert.ok(!shape.ok);
});

test('project config: unknown codes and built-in codes are warnings, not errors', () => {
  const r = parseProjectConfig('/r/nixkit.toml', '[rules]\nesp-mount = "off"\nsyntax-error = "off"\n');
  assert.ok(r.ok);
  assert.deepEqual(r.warnings, [
    'unknown rule "esp-mount"',
    '"syntax-error" is not a rule: its severity cannot be changed',
  ]);
});

test('project config: the nearest file above, up to the repository root; editor settings win', () => {
  const root = tempDir('project-config');
  fs.mkdirSync(path.join(root, '.git'));
  fs.mkdirSync(path.join(root, 'hosts/a'), { recursive: true });
  fs.writeFileSync(path.join(root, 'nixkit.toml'), '[rules]\n');
  assert.equal(findProjectConfig(path.join(root, 'hosts/a')), path.join(root, 'nixkit.toml'));
  fs.writeFileSync(path.join(root, 'hosts/.nixkit.json'), '{}');
  assert.equal(findProjectConfig(path.join(root, 'hosts/a')), path.join(root, 'hosts/.nixkit.json'));
  fs.rmSync(path.join(root, 'nixkit.toml'));
  assert.equal(findProjectConfig(root), undefined);
  assert.equal(
    commonFolder([path.join(root, 'hosts/a'), path.join(root, 'hosts/.nixkit.json')]),
    path.join(root, 'hosts'),
  );
  assert.deepEqual(ruleSettings({ rules: { a: 'off', b: 'hint' } }, { a: 'error' }), {
    severity: { a: 'error', b: 'hint' },
  });
  assert.deepEqual(cleanSeverities({ 'esp-mount-mismatch': 'warning', x: 'loud' }).rules, {
    'esp-mount-mismatch': 'warning',
  });
  fs.rmSync(root, { recursive: true, force: true });
});

async function check(dir: string, args: string[] = []) {
  let out = '';
  let err = '';
  const code = await main(['check', '--format', 'json', ...args, dir], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    cwd: dir,
    env: {},
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

test('nixkit check reads nixkit.toml: severities change, "off" silences, a broken file exits 2', async () => {
  const dir = tempDir('check-config');
  fs.mkdirSync(path.join(dir, '.git'));
  fs.writeFileSync(
    path.join(dir, 'configuration.nix'),
    `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
  system.stateVersion = "24.05";
}
`,
  );
  const findings = (out: string) =>
    (JSON.parse(out) as { diagnostics: { code: string; severity: string }[] }).diagnostics.filter(
      (f) => f.code === 'esp-mount-mismatch',
    );
  const before = await check(dir);
  assert.equal(findings(before.out)[0]?.severity, 'error', before.out);
  fs.writeFileSync(path.join(dir, 'nixkit.toml'), '[rules]\nesp-mount-mismatch = "warning"\n');
  const warned = await check(dir);
  assert.equal(findings(warned.out)[0]?.severity, 'warning');
  fs.writeFileSync(path.join(dir, 'nixkit.toml'), '[rules]\nesp-mount-mismatch = "off"\n');
  assert.deepEqual(findings((await check(dir)).out), []);
  assert.equal(findings((await check(dir, ['--no-config'])).out).length, 1);
  fs.writeFileSync(path.join(dir, 'nixkit.toml'), '[rules]\nesp-mount-mismatch = "loud"\n');
  const broken = await check(dir);
  assert.equal(broken.code, 2);
  assert.equal(broken.out, '');
  assert.match(
    broken.err,
    /^nixkit check: nixkit\.toml: rules\.esp-mount-mismatch: the severity must be one of/,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});

test('[machines] names module files as machines, relative to the config file; a bad entry says what a machine is', () => {
  const ok = parseProjectConfig(
    '/repo/nixkit.toml',
    '[machines]\nkiosk = "machines/kiosk.nix"\nedge = { file = "edge.nix", system = "aarch64-linux" }\n',
  );
  assert.ok(ok.ok);
  assert.deepEqual(ok.ok && ok.config.machines, [
    { name: 'kiosk', file: '/repo/machines/kiosk.nix' },
    { name: 'edge', file: '/repo/edge.nix', system: 'aarch64-linux' },
  ]);
  const bad = parseProjectConfig('/repo/nixkit.toml', '[machines]\nkiosk = { path = "x.nix" }\n');
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.message : '', /machines\.kiosk: a machine is a file/);
});
