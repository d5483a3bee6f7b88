// `nixkit` loads a command's code only when that command runs (issue 13, "A CLI that starts like a CLI"): the
// dispatcher alone for `version`, the checker without ssh2, the install engine or ajv for `check`. Each case runs
// the real CLI in its own process with a preload that lists, at exit, every file Node loaded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, REPO_ROOT, tempDir } from '../../helpers';

const work = tempDir('lazy-load');
const hook = path.join(work, 'list-loaded.js');
fs.writeFileSync(
  hook,
  `process.on('exit', () => require('fs').writeFileSync(process.env.NIXKIT_LOADED, JSON.stringify(Object.keys(require.cache))));\n`,
);
const small = path.join(work, 'small.nix');
fs.writeFileSync(small, '{ ... }:\n{\n  networking.hostName = "demo";\n}\n');

/** The files a `node <entry> <args>` process loaded, relative to the repository (node_modules by package). */
function loaded(entry: string, args: string[], cwd = work): string[] {
  const list = path.join(work, 'loaded.json');
  fs.rmSync(list, { force: true });
  const r = spawnSync(process.execPath, ['--require', hook, entry, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NIXKIT_LOADED: list },
  });
  assert.ok(r.status === 0 || r.status === 1, `${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return (JSON.parse(fs.readFileSync(list, 'utf8')) as string[])
    .filter((f) => f !== hook)
    .map((f) => {
      const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f);
      return inPackage ? `node_modules/${inPackage[1]}` : path.relative(REPO_ROOT, f);
    })
    .filter((f, i, all) => all.indexOf(f) === i)
    .sort();
}

// (ssh2 also looks for its optional native helper, cpu-features, outside the bundle: only dist/ files count here.)
const bundles = (args: string[]) => loaded(CLI, args).filter((f) => f.startsWith('dist/'));

test('dist: `nixkit version` loads the dispatcher only', () => {
  assert.deepEqual(loaded(CLI, ['version']), ['dist/cli.js']);
});

test('dist: `nixkit check` loads the checker bundle, not the remote engine or the language server', () => {
  assert.deepEqual(bundles(['check', small]), ['dist/cli-check.js', 'dist/cli.js']);
});

test('dist: `nixkit hwconfig` loads the remote bundle', () => {
  assert.deepEqual(bundles(['hwconfig', '--help']), ['dist/cli-remote.js', 'dist/cli.js']);
});

test('dist: `nixkit media` loads the media bundle, not the remote engine', () => {
  assert.deepEqual(bundles(['media', 'test', '--help']), ['dist/cli-media.js', 'dist/cli.js']);
});

test('dist: `nixkit media write` and `media list` load the remote bundle too (ssh2, for --host)', () => {
  const both = ['dist/cli-media.js', 'dist/cli-remote.js', 'dist/cli.js'];
  assert.deepEqual(bundles(['media', 'write', '--help']), both);
  assert.deepEqual(bundles(['media', 'list', '--help']), both);
});

test('dist: `nixkit rescue` loads the remote bundle', () => {
  assert.deepEqual(bundles(['rescue', '--help']), ['dist/cli-remote.js', 'dist/cli.js']);
});

// The bundles hide which modules inside them ran; the compiled modules (out/) show it, and the bundles are made
// from the same imports.
const compiledMain = path.join(REPO_ROOT, 'out/cli/main.js');

test('modules: `nixkit check` of a file runs neither ajv, ssh2 nor the engine', () => {
  const files = loaded(compiledMain, ['check', small]);
  assert.ok(files.includes('out/cli/check-command.js'), files.join('\n'));
  for (const f of files) {
    assert.ok(!/^node_modules\/(ajv|ssh2|ssh-config)$/.test(f), `check loaded ${f}`);
    assert.ok(!f.startsWith('out/engine/') && !f.startsWith('out/server/lsp/'), `check loaded ${f}`);
  }
});

test('modules: ajv is loaded when there is something to validate (a nixkit.toml)', () => {
  const project = path.join(work, 'with-config');
  fs.mkdirSync(project, { recursive: true });
  fs.writeFileSync(path.join(project, 'nixkit.toml'), '[rules]\nlockout-risk = "off"\n');
  fs.copyFileSync(small, path.join(project, 'small.nix'));
  const files = loaded(compiledMain, ['check', 'small.nix'], project);
  assert.ok(files.includes('node_modules/ajv'), files.join('\n'));
  assert.ok(!files.includes('node_modules/ssh2'), files.join('\n'));
});
