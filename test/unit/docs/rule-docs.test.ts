// The committed rule pages are exactly what scripts/gen-rule-docs.ts writes: a rule added or changed without
// `npm run docs` fails here, so docs/rules/ never goes stale.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderRuleDocs, staleDocs } from '../../../scripts/gen-rule-docs';
import { BUILTIN_CODES, RULE_CODES } from '../../../protocol/diagnostic-codes';
import { RULES } from '../../../server/rules';
import { REPO_ROOT } from '../../helpers';

test('docs/rules/ is what `npm run docs` generates', async () => {
  const pages = await renderRuleDocs();
  assert.deepEqual(staleDocs(REPO_ROOT, pages), [], 'run `npm run docs` and commit docs/rules/');
});

test('every rule has a page with its examples, and the index lists every code', async () => {
  const pages = await renderRuleDocs();
  const index = pages.get('docs/rules/README.md')!;
  for (const rule of RULES) {
    const page = pages.get(`docs/rules/${rule.code}.md`);
    assert.ok(page, rule.code);
    assert.ok(page.includes(rule.explanation), `${rule.code}: explanation`);
    assert.match(page, /## Example that draws the finding[\s\S]*```nix[\s\S]*## Example without it[\s\S]*```nix/);
    assert.ok(index.includes(`[${rule.code}](${rule.code}.md)`), `${rule.code} in the index`);
  }
  for (const code of Object.keys(BUILTIN_CODES)) assert.ok(index.includes(`| ${code} |`), code);
  // The closed list of codes (protocol/diagnostic-codes.ts) and the rules are the same set, each code once.
  assert.deepEqual(
    RULES.map((r) => r.code).sort(),
    [...RULE_CODES].sort(),
  );
  assert.equal(new Set(RULE_CODES).size, RULE_CODES.length);
  assert.match(pages.get('docs/rules/esp-mount-mismatch.md')!, /- Set boot\.loader\.efi\.efiSysMountPoint = "\/boot\/efi" \(preferred\)\n- Mount the ESP at \/boot/);
});
