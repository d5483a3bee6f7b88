// nixkit's own bugs must not cost the user the findings that are right, nor leave findings behind that point
// into text that no longer exists: a rule that throws loses only its own findings (one `internal-error` says
// so), and an analysis that throws drops every rule finding for one `analysis-failed`, until the next change.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkspaceAnalysis } from '../../../server/analysis/workspace-analysis';
import { WorkspaceSources } from '../../../server/analysis/workspace-sources';
import type { SourceProvider } from '../../../server/model/sources';
import { RULES } from '../../../server/rules/index';
import type { Rule } from '../../../server/rule-api/rule';
import { SyntaxDocument } from '../../../server/syntax/document';
import { parser } from '../../helpers';

const CONFIG = `{ ... }:
{
  fileSystems."/" = { device = "/dev/sda1"; fsType = "ext4"; };
  nix.maxJobs = 4;
  system.stateVersion = "24.11";
}
`;

async function workspace(text = CONFIG) {
  const p = await parser();
  const sources = new WorkspaceSources(p);
  const file = '/mem/fail/configuration.nix';
  const setText = (t: string) => sources.setOpen(file, new SyntaxDocument(p, t));
  setText(text);
  return { sources, file, setText };
}

const codes = (a: WorkspaceAnalysis, file: string) =>
  a
    .findingsFor(file)
    .map((f) => f.code)
    .sort();

test('a rule that throws loses its own findings only, and says so without a stack trace', async () => {
  const { sources, file } = await workspace();
  const broken: Rule = {
    ...RULES[0],
    code: 'broken-rule' as Rule['code'], // a rule that exists only in this test
    checkConfiguration(ctx) {
      ctx.report({ at: { file, span: { start: 0, end: 1 } }, message: 'half a story' });
      throw new TypeError("Cannot read properties of undefined (reading 'x')\n    at broken (rule.js:1:1)");
    },
    checkFile: undefined,
    checkProject: undefined,
  };
  const brokenFile: Rule = {
    ...broken,
    code: 'broken-file-rule' as Rule['code'],
    checkConfiguration: undefined,
    checkFile() {
      throw new RangeError('Maximum call stack size exceeded');
    },
  };
  const healthy = new WorkspaceAnalysis(sources, () => [file]);
  healthy.full();
  const analysis = new WorkspaceAnalysis(sources, () => [file], {}, [broken, ...RULES, brokenFile]);
  analysis.full();
  const expected = [...codes(healthy, file), 'internal-error', 'internal-error'].sort();
  assert.deepEqual(codes(analysis, file), expected);
  assert.ok(expected.includes('unstable-device-path') && expected.includes('removed-option'));
  const internal = analysis.findingsFor(file).filter((f) => f.code === 'internal-error');
  assert.deepEqual(
    internal.map((f) => f.message),
    [
      "nixkit's broken-rule check failed on configuration fail (Cannot read properties of undefined (reading 'x')); its findings are missing here. This is a bug in nixkit.",
      "nixkit's broken-file-rule check failed on this file (Maximum call stack size exceeded); its findings are missing here. This is a bug in nixkit.",
    ],
  );
  for (const f of internal) assert.equal(f.severity, 'information');
});

/** Delegates to real sources, but throws (as an evaluator bug would) while `fail` is set. */
function failing(sources: SourceProvider) {
  const state = { fail: false };
  const wrapped: SourceProvider = {
    parsed: (f) => {
      if (state.fail) throw new RangeError('Maximum call stack size exceeded');
      return sources.parsed(f);
    },
    exists: (f) => sources.exists(f),
    isDirectory: (f) => sources.isDirectory(f),
    list: (d) => sources.list(d),
  };
  return { wrapped, state };
}

test('when the analysis throws, no old finding stays: one analysis-failed, and the next change recovers', async () => {
  const { sources, file, setText } = await workspace();
  const { wrapped, state } = failing(sources);
  const analysis = new WorkspaceAnalysis(wrapped, () => [file]);
  analysis.full();
  const before = codes(analysis, file);
  assert.ok(before.includes('unstable-device-path') && before.includes('removed-option'), before.join());

  // An edit whose analysis fails: the old findings (positions into the old text) must go.
  setText('{ ... }:\n{\n  system.stateVersion = "24.11";\n}\n');
  state.fail = true;
  const touched = analysis.update([file]);
  assert.ok(touched.has(file));
  const now = analysis.findingsFor(file);
  assert.deepEqual(
    now.map((f) => `${f.severity} ${f.code} ${f.range.start.line}:${f.range.start.character}`),
    ['warning analysis-failed 0:0'],
  );
  assert.match(now[0].message, /could not analyse the configuration \(Maximum call stack size exceeded\)/);
  assert.doesNotMatch(now[0].message, /\bat .*:\d+:\d+/);

  // The next change analyses from scratch and matches a fresh analysis of the same text.
  state.fail = false;
  setText(CONFIG);
  analysis.update([file]);
  const fresh = new WorkspaceAnalysis(sources, () => [file]);
  fresh.full();
  assert.deepEqual(codes(analysis, file), codes(fresh, file));
  assert.deepEqual(codes(analysis, file), before);
});

test('a full analysis that throws reports analysis-failed instead of throwing', async () => {
  const { sources, file } = await workspace();
  const { wrapped, state } = failing(sources);
  state.fail = true;
  const analysis = new WorkspaceAnalysis(wrapped, () => [file]);
  assert.doesNotThrow(() => analysis.full());
  assert.deepEqual(codes(analysis, file), ['analysis-failed']);
});
