import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CodeAction } from 'vscode-languageserver/node';
import type { Finding } from '../../../server/findings';
import { codeActions, combineFixes, FIX_ALL_KIND } from '../../../server/lsp/features/code-actions';
import { memoryWorkspace } from './setup';

const CONFIG = `{ ... }:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };
  fileSystems."/boot/efi" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };
}
`;

const espFinding = (ws: Awaited<ReturnType<typeof memoryWorkspace>>) =>
  (ws.state.published.get(ws.file('configuration.nix')) ?? []).find((f) => f.code === 'esp-mount-mismatch');

/** The actions at a line: at the start of the first finding on it, else at column 4. */
function actionsAt(
  ws: Awaited<ReturnType<typeof memoryWorkspace>>,
  rel: string,
  line: number,
  only?: string[],
) {
  const on = (ws.state.published.get(ws.file(rel)) ?? []).find((f) => f.range.start.line === line);
  const character = on?.range.start.character ?? 4;
  return codeActions(ws.state, {
    textDocument: { uri: ws.uri(rel) },
    range: { start: { line, character }, end: { line, character } },
    context: { diagnostics: [], only },
  });
}

test('code actions: the ESP finding offers both fixes, the preferred one first-class, linked to the finding', async () => {
  const ws = await memoryWorkspace({ 'configuration.nix': CONFIG });
  const finding = espFinding(ws);
  assert.ok(finding, 'the ESP finding is published');
  const actions = actionsAt(ws, 'configuration.nix', finding.range.start.line);
  const fixes = actions.filter((a) => !a.title.startsWith('Ignore'));
  assert.deepEqual(
    fixes.map((a) => [a.title, a.kind, a.isPreferred]),
    [
      ['Set boot.loader.efi.efiSysMountPoint = "/boot/efi"', 'quickfix', true],
      ['Mount the ESP at /boot', 'quickfix', false],
    ],
  );
  assert.equal(fixes[0].diagnostics?.[0].code, 'esp-mount-mismatch');
  assert.ok(fixes[0].edit?.changes?.[ws.uri('configuration.nix')]?.length);
});

test('code actions: applying the preferred fix makes the finding go away; so does the other one', async () => {
  for (const pick of [0, 1]) {
    const ws = await memoryWorkspace({ 'configuration.nix': CONFIG });
    const actions = actionsAt(ws, 'configuration.nix', espFinding(ws)!.range.start.line);
    ws.applyEdits(actions[pick].edit!.changes!);
    assert.equal(
      espFinding(ws),
      undefined,
      `after "${actions[pick].title}":\n${ws.text('configuration.nix')}`,
    );
    assert.deepEqual(
      (ws.state.published.get(ws.file('configuration.nix')) ?? []).filter((f) => f.code === 'syntax-error'),
      [],
    );
  }
});

test('code actions: fixes spanning files become one workspace edit with both files', async () => {
  const ws = await memoryWorkspace({
    'flake.nix': `{
  outputs = { nixpkgs, ... }: {
    nixosConfigurations.a = nixpkgs.lib.nixosSystem { system = "x86_64-linux"; modules = [ ./configuration.nix ./hardware.nix ]; };
  };
}
`,
    'configuration.nix': `{ ... }:\n{\n  boot.loader.systemd-boot.enable = true;\n}\n`,
    'hardware.nix': `{ ... }:\n{\n  fileSystems."/" = { device = "/dev/disk/by-label/nixos"; fsType = "ext4"; };\n  fileSystems."/boot/efi" = { device = "/dev/disk/by-label/ESP"; fsType = "vfat"; };\n}\n`,
  });
  const f = (ws.state.published.get(ws.file('hardware.nix')) ?? []).find(
    (x) => x.code === 'esp-mount-mismatch',
  );
  assert.ok(f);
  const actions = actionsAt(ws, 'hardware.nix', f.range.start.line);
  const preferred = actions.find((a) => a.isPreferred)!;
  // The fix is in the other file: the edit names it.
  assert.deepEqual(Object.keys(preferred.edit!.changes!), [ws.uri('configuration.nix')]);
  ws.applyEdits(preferred.edit!.changes!);
  assert.equal(
    (ws.state.published.get(ws.file('hardware.nix')) ?? []).filter((x) => x.code === 'esp-mount-mismatch')
      .length,
    0,
  );
});

test('code actions: "ignore on this line" inserts the directive above, indented, and silences the finding', async () => {
  const ws = await memoryWorkspace({ 'configuration.nix': CONFIG });
  const line = espFinding(ws)!.range.start.line;
  const ignore = actionsAt(ws, 'configuration.nix', line).find(
    (a) => a.title === 'Ignore esp-mount-mismatch on this line',
  );
  assert.ok(ignore);
  assert.deepEqual(ignore.edit!.changes![ws.uri('configuration.nix')], [
    {
      range: { start: { line, character: 0 }, end: { line, character: 0 } },
      newText: '  # nixkit: ignore esp-mount-mismatch\n',
    },
  ]);
  ws.applyEdits(ignore.edit!.changes!);
  assert.equal(espFinding(ws), undefined);
  assert.match(
    ws.text('configuration.nix'),
    /\n {2}# nixkit: ignore esp-mount-mismatch\n {2}fileSystems\."\/boot\/efi"/,
  );
});

test('code actions: "ignore" adds the code to an existing directive on the line before', async () => {
  const ws = await memoryWorkspace({
    'configuration.nix': CONFIG.replace(
      '  fileSystems."/boot/efi"',
      '  # nixkit: ignore some-other-code\n  fileSystems."/boot/efi"',
    ),
  });
  const line = espFinding(ws)!.range.start.line;
  const ignore = actionsAt(ws, 'configuration.nix', line).find((a) => a.title.startsWith('Ignore'))!;
  ws.applyEdits(ignore.edit!.changes!);
  assert.match(ws.text('configuration.nix'), /# nixkit: ignore some-other-code esp-mount-mismatch\n/);
  assert.equal(espFinding(ws), undefined);
});

test('code actions: nothing at a position without findings; only what `only` asks for', async () => {
  const ws = await memoryWorkspace({ 'configuration.nix': CONFIG });
  const quiet = [0, 1, 2, 3, 4, 5].find(
    (l) =>
      !ws.state.published
        .get(ws.file('configuration.nix'))!
        .some((f) => f.range.start.line <= l && f.range.end.line >= l),
  )!;
  assert.deepEqual(actionsAt(ws, 'configuration.nix', quiet), []);
  const line = espFinding(ws)!.range.start.line;
  assert.deepEqual(actionsAt(ws, 'configuration.nix', line, ['refactor']), []);
  const fixAll = actionsAt(ws, 'configuration.nix', line, ['source.fixAll']);
  assert.equal(fixAll.length, 1);
  assert.equal(fixAll[0].kind, FIX_ALL_KIND);
  ws.applyEdits(fixAll[0].edit!.changes!);
  assert.equal(espFinding(ws), undefined);
});

const finding = (
  line: number,
  fixes: Finding['fixes'],
  code: Finding['code'] = 'esp-mount-mismatch',
): Finding => ({
  file: '/f.nix',
  range: { start: { line, character: 2 }, end: { line, character: 8 } },
  severity: 'warning',
  code,
  message: `problem on ${line}`,
  fixes,
});
const edit = (line: number, a: number, b: number, newText: string) => ({
  file: '/f.nix',
  range: { start: { line, character: a }, end: { line, character: b } },
  newText,
});

test("fix all: each finding's preferred fix, overlapping edits skipped, identical ones taken once", () => {
  const findings = [
    finding(1, [
      { title: 'other', edits: [edit(1, 0, 1, 'x')] },
      { title: 'preferred', edits: [edit(1, 2, 8, 'A'), edit(9, 0, 0, 'shared')], preferred: true },
    ]),
    finding(2, [{ title: 'only', edits: [edit(2, 2, 8, 'B'), edit(9, 0, 0, 'shared')] }]),
    finding(3, [{ title: 'clashes with line 1', edits: [edit(1, 4, 6, 'C')] }]),
  ];
  const { edits, fixed } = combineFixes(findings);
  assert.deepEqual(
    edits.map((e) => e.newText),
    ['A', 'shared', 'B'],
  );
  assert.deepEqual(
    fixed.map((f) => f.range.start.line),
    [1, 2],
  );
});

test('fix all: offered per code when every finding of it has a fix, not for codes with an unfixable finding', async () => {
  const ws = await memoryWorkspace({ 'configuration.nix': CONFIG });
  const file = ws.file('configuration.nix');
  ws.state.published.set(
    file,
    [
      finding(1, [{ title: 'f1', edits: [edit(1, 0, 0, '#')] }]),
      finding(2, [{ title: 'f2', edits: [edit(2, 0, 0, '#')] }]),
      finding(3, [{ title: 'g', edits: [edit(3, 0, 0, '#')] }], 'removed-option'),
      finding(4, undefined, 'removed-option'),
    ].map((f) => ({ ...f, file })),
  );
  const at = (line: number) =>
    codeActions(ws.state, {
      textDocument: { uri: ws.uri('configuration.nix') },
      range: { start: { line, character: 3 }, end: { line, character: 3 } },
      context: { diagnostics: [] },
    }).map((a: CodeAction) => a.title);
  assert.deepEqual(at(1), [
    'f1',
    'Fix all esp-mount-mismatch problems in this file',
    'Ignore esp-mount-mismatch on this line',
  ]);
  assert.deepEqual(at(3), ['g', 'Ignore removed-option on this line']);
});
