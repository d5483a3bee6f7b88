import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SyntaxDocument } from '../../../server/syntax/document';
import { LineIndex } from '../../../server/syntax/positions';
import { parse, parser } from '../../helpers';

/** Deterministic PRNG so a failure can be replayed. */
function prng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

const SAMPLE = `{ config, lib, pkgs, ... }:
let
  name = "demo";
in {
  imports = [ ./hardware-configuration.nix ];
  boot.loader = { systemd-boot.enable = true; efi.canTouchEfiVariables = true; };
  networking.hostName = name; # a comment
  fileSystems."/" = { device = "/dev/disk/by-uuid/0b1c"; fsType = "ext4"; };
  users.users.root.openssh.authorizedKeys.keys = [ "ssh-ed25519 AAAA… 😀 me" ];
  system.stateVersion = "24.05";
}
`;

test('incremental edits give the same AST and findings as parsing the new text from scratch', async () => {
  const rand = prng(42);
  const doc = await parse(SAMPLE);
  let text = SAMPLE;
  const inserts = ['x', ';', '{', '}', '"', ' ', '\n', '😀', '${a}', "''", '= 1;', 'é'];
  for (let i = 0; i < 300; i++) {
    const lines = new LineIndex(text);
    const a = Math.floor(rand() * (text.length + 1));
    const b = Math.min(text.length, a + Math.floor(rand() * 4));
    const replacement = rand() < 0.3 ? '' : inserts[Math.floor(rand() * inserts.length)];
    // never split a surrogate pair: LSP clients do not either
    if (/[\uDC00-\uDFFF]/.test(text[a] ?? '') || /[\uDC00-\uDFFF]/.test(text[b] ?? '')) continue;
    doc.applyChanges([
      { range: { start: lines.positionAt(a), end: lines.positionAt(b) }, text: replacement },
    ]);
    text = text.slice(0, a) + replacement + text.slice(b);
    assert.equal(doc.text, text);
    if (i % 10 === 0) {
      const fresh = await parse(text);
      assert.deepEqual(
        JSON.stringify(doc.sourceFile()),
        JSON.stringify(fresh.sourceFile()),
        `AST after edit ${i}`,
      );
      assert.deepEqual(doc.syntaxProblems(), fresh.syntaxProblems(), `errors after edit ${i}`);
      fresh.dispose();
    }
  }
  doc.dispose();
});

test('a full-text change replaces the document', async () => {
  const doc = await parse('{ a = 1; }');
  doc.applyChanges([{ text: '{ b = ; }' }]);
  assert.equal(doc.text, '{ b = ; }');
  assert.equal(doc.syntaxProblems().length, 1);
  doc.dispose();
});

test('several changes in one notification apply in order', async () => {
  const doc = await parse('{ a = 1; }');
  doc.applyChanges([
    { range: { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }, text: '2' },
    { range: { start: { line: 0, character: 8 }, end: { line: 0, character: 8 } }, text: ' b = 3;' },
  ]);
  assert.equal(doc.text, '{ a = 2; b = 3; }');
  assert.deepEqual(doc.syntaxProblems(), []);
  doc.dispose();
});

test('pipe operators: read when the repository turns them on, in edited documents too; otherwise a syntax error', async () => {
  const p = await parser();
  const text =
    '{ lib, ... }: { fileSystems = [ "/" ] |> map (m: { name = m; value = { }; }) |> lib.listToAttrs; }\n';
  const on = new SyntaxDocument(p, text, undefined, 'edit', () => true);
  assert.deepEqual(on.syntaxProblems(), []);
  const body = on.sourceFile().expr;
  assert.equal(body?.kind, 'lambda');
  // an edit that mixes the two operators without parentheses: refused, as Nix 2.24 refuses it
  const at = text.indexOf('|> lib');
  on.applyChanges([
    {
      range: { start: on.lineIndex.positionAt(at), end: on.lineIndex.positionAt(at + 2) },
      text: '<|',
    },
  ]);
  assert.equal(on.syntaxProblems().length > 0, true);
  on.dispose();
  const off = new SyntaxDocument(p, text, undefined, 'edit', () => false);
  assert.match(off.syntaxProblems()[0].message, /pipe operators/);
  off.dispose();
});
