// Every rule's bad and good examples are tests: the bad one draws exactly the findings it names, the good one
// none of this rule's, and neither has a syntax error (an example must be real Nix).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { RULES } from '../../../server/rules';
import type { RuleExample } from '../../../server/rule-api/rule';
import { tempDir } from '../../helpers';

async function findingsOf(example: RuleExample) {
  const dir = tempDir('rule');
  for (const [rel, text] of Object.entries(example.files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  if (example.probe) writeProbe(dir, example);
  const result = await checkPaths([dir]);
  fs.rmSync(dir, { recursive: true, force: true });
  return result.findings.map((f) => ({
    ...f,
    where: `${path.relative(dir, f.file)}:${f.range.start.line + 1}`,
  }));
}

/** Saves the example's probe as the probe panel does, for each configuration: `.nixkit/hosts/<name>.json`. */
function writeProbe(dir: string, example: RuleExample) {
  const names = new Set<string>();
  for (const [rel, text] of Object.entries(example.files)) {
    if (path.basename(rel) === 'configuration.nix')
      names.add(path.basename(path.dirname(path.join(dir, rel))));
    if (path.basename(rel) === 'flake.nix')
      for (const m of text.matchAll(/nixosConfigurations\.("?)([\w-]+)\1/g)) names.add(m[2]);
  }
  fs.mkdirSync(path.join(dir, '.nixkit', 'hosts'), { recursive: true });
  for (const name of names)
    fs.writeFileSync(path.join(dir, '.nixkit', 'hosts', `${name}.json`), JSON.stringify(example.probe));
}

for (const rule of RULES) {
  test(`${rule.code}: the bad example is reported where it says`, async () => {
    const findings = await findingsOf(rule.bad);
    assert.deepEqual(
      findings.filter((f) => f.code === 'syntax-error'),
      [],
      'the example is valid Nix',
    );
    const mine = findings.filter((f) => f.code === rule.code);
    assert.deepEqual(
      mine.map((f) => f.where).sort(),
      [...(rule.bad.expect ?? [])].sort(),
      JSON.stringify(mine, null, 1),
    );
    assert.ok(rule.bad.expect?.length, 'a bad example names at least one finding');
    for (const f of mine) assert.equal(f.severity, rule.severity);
  });
  test(`${rule.code}: the good example draws no finding of this rule`, async () => {
    const findings = await findingsOf(rule.good);
    assert.deepEqual(
      findings.filter((f) => f.code === 'syntax-error'),
      [],
      'the example is valid Nix',
    );
    assert.deepEqual(
      findings.filter((f) => f.code === rule.code),
      [],
    );
  });
  test(`${rule.code}: documented`, () => {
    assert.match(rule.code, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(rule.title.length > 10 && !rule.title.endsWith('.'), 'a one-line title');
    assert.ok(rule.explanation.length > 120, 'a paragraph saying why it breaks an install');
  });
}

test('rule codes are unique', () => {
  const codes = RULES.map((r) => r.code);
  assert.equal(new Set(codes).size, codes.length);
});
