// The import direction (docs/architecture.md) is enforced by ESLint's `nixkit/layers` rule: a wrong-way import
// fails the lint run, a right-way one passes. Checked through ESLint itself, with the repository's own config.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { REPO_ROOT } from '../../helpers';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function layerMessages(file: string, spec: string): Promise<string[]> {
  const code = `import { x } from '${spec}';\nexport const y = x;\n`;
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'nixkit/layers').map((m) => m.message);
}

const WRONG: [string, string][] = [
  ['server/syntax/a.ts', '../model/value'],
  ['server/model/a.ts', '../rules/index'],
  ['server/model/a.ts', '../lsp/server'],
  ['server/facts/a.ts', '../rules/index'],
  ['server/rules/a.ts', '../../engine/probe/probe-parse'],
  ['server/rules/a.ts', '../analysis/workspace-analysis'],
  ['server/analysis/a.ts', '../lsp/server'],
  ['protocol/a.ts', '../engine/errors'],
  ['protocol/a.ts', '../server/model/value'],
  ['engine/install/a.ts', '../../cli/main'],
  ['engine/install/a.ts', '../../extension/main'],
  ['engine/install/a.ts', '../../server/lsp/server'],
  ['cli/a.ts', '../extension/main'],
  ['webview/a.ts', '../engine/errors'],
  ['webview/a.ts', '../server/model/value'],
  ['webview/a.ts', '../extension/saved-probes'],
];

const RIGHT: [string, string][] = [
  ['server/model/a.ts', '../syntax/ast'],
  ['server/rules/a.ts', '../facts/boot'],
  ['server/rules/a.ts', '../../protocol/probe-report'],
  ['server/lsp/a.ts', '../analysis/workspace-analysis'],
  ['engine/install/a.ts', '../../server/analysis/check-files'],
  ['cli/a.ts', '../engine/install/runner'],
  ['cli/a.ts', '../server/lsp/server'],
  ['extension/a.ts', '../engine/ssh/session'],
  ['webview/a.ts', '../protocol/webview-messages'],
];

test('an import that goes the wrong way between layers fails the lint run', async () => {
  for (const [file, spec] of WRONG) {
    const messages = await layerMessages(file, spec);
    assert.equal(messages.length, 1, `${file} importing ${spec} should be refused`);
    assert.match(messages[0], /may not import/);
  }
});

test('imports that go the right way pass', async () => {
  for (const [file, spec] of RIGHT)
    assert.deepEqual(await layerMessages(file, spec), [], `${file} → ${spec}`);
});
