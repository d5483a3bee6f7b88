// The corpus of repository shapes: every machine found with its platform and coverage, no machine invented, and
// exactly the findings each shape names (a false error or warning fails the test).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { loadProjectConfig } from '../../../server/analysis/project-config';
import { tempTree } from '../../helpers';
import { SHAPES, type Shape } from './repo-shapes';

export function writeShape(shape: Shape): string {
  return tempTree('shape', shape.files);
}

test('the corpus has at least 25 shapes', () => {
  assert.ok(SHAPES.length >= 25, `${SHAPES.length} shapes`);
});

for (const shape of SHAPES) {
  test(`shape: ${shape.name}`, async () => {
    const dir = writeShape(shape);
    const toml = path.join(dir, 'nixkit.toml');
    const loaded = fs.existsSync(toml) ? loadProjectConfig(toml) : undefined;
    if (loaded && !loaded.ok) assert.fail(loaded.message);
    const result = await checkPaths([dir], { machines: loaded?.ok ? loaded.config.machines : undefined });
    assert.deepEqual(
      result.configurations.map((c) => ({
        name: c.name,
        status: c.status,
        ...(c.platform ? { platform: c.platform } : {}),
      })),
      shape.machines.map(({ reason: _, ...m }) => m),
      JSON.stringify(result.configurations, null, 1),
    );
    for (const m of shape.machines)
      if (m.reason) {
        const reasons = result.configurations.find((c) => c.name === m.name)?.reasons.join('; ') ?? '';
        assert.match(reasons, m.reason);
      }
    assert.deepEqual(
      result.findings.map((f) => `${f.code} ${path.relative(dir, f.file)}:${f.range.start.line + 1}`).sort(),
      shape.findings,
      result.findings.map((f) => `${f.code} ${path.relative(dir, f.file)}: ${f.message}`).join('\n'),
    );
    for (const c of result.configurations)
      if (c.status !== 'read') assert.ok(c.reasons.length, `${c.name} says why it is ${c.status}`);
  });
}
