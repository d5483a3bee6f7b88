import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  EXTENSION_ID,
  nixkitDiagnostics,
  openFile,
  replaceAll,
  serverBarrier,
  syntaxErrors,
  waitFor,
  waitForSyntaxError,
} from './util';

const BROKEN = '{ a = 1 b = 2; }';
const FIXED = '{ a = 1; b = 2; }';

describe('diagnostics', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  afterEach(async () => {
    // Revert rather than close dirty editors: closing would ask to save in a modal dialog, which hangs
    // desktop VS Code (code-server's smoke-test driver merely cancels it).
    // Only the test's own files: the editor may hold others (code-server's user settings.json) and open editors of
    // its own at any moment, which makes showTextDocument fail with "another editor opened in the meantime".
    const own = (d: vscode.TextDocument) => d.isDirty && !!vscode.workspace.getWorkspaceFolder(d.uri);
    for (const doc of vscode.workspace.textDocuments.filter(own)) {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await vscode.window.showTextDocument(doc);
          await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 200)); // another editor opened meanwhile: try again
        }
      }
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('reports a syntax error where the mistake is, with a readable message', async () => {
    const editor = await openFile('broken.nix', BROKEN);
    const d = await waitForSyntaxError(editor.document.uri);
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, 0, 'the error is on the only line');
    // Between the end of `1` (column 7) and the `=` after `b` (column 10), the region Nix itself blames.
    assert.ok(
      d.range.start.character >= 6 && d.range.start.character <= 10,
      `error starts at column ${d.range.start.character}, not near the missing ';'`,
    );
    assert.match(d.message, /expected ';'/);
    assert.doesNotMatch(d.message, /\b(ERROR|MISSING)\b/, 'message leaks parser internals');
  });

  it('drops the syntax error once an edit fixes the file', async () => {
    const editor = await openFile('fixable.nix', BROKEN);
    await waitForSyntaxError(editor.document.uri);
    const semicolonAt = new vscode.Position(0, BROKEN.indexOf('1') + 1);
    assert.ok(await editor.edit((e) => e.insert(semicolonAt, ';')), 'the edit was not applied');
    assert.equal(editor.document.getText(), FIXED);
    await waitFor('the syntax error to go away', () => syntaxErrors(editor.document.uri).length === 0);
    await editor.document.save();
  });

  it('keeps checking documents after nixkit.restartServer', async () => {
    const editor = await openFile('restart.nix', FIXED);
    await serverBarrier();
    await vscode.commands.executeCommand('nixkit.restartServer');
    await replaceAll(editor, BROKEN);
    const d = await waitForSyntaxError(editor.document.uri, 30_000);
    assert.equal(d.range.start.line, 0);
    await replaceAll(editor, FIXED);
    await waitFor('the syntax error to go away', () => syntaxErrors(editor.document.uri).length === 0);
    await editor.document.save();
  });

  it('checks CRLF documents: no findings when valid, right line when broken', async () => {
    const valid = await openFile('crlf-valid.nix', '{\r\n  a = 1;\r\n  b = 2;\r\n}\r\n');
    assert.equal(valid.document.eol, vscode.EndOfLine.CRLF);
    const broken = await openFile('crlf-broken.nix', '{\r\n  a = 1\r\n  b = 2;\r\n}\r\n');
    const d = await waitForSyntaxError(broken.document.uri);
    // A server that counted '\r' as a line break or a column would put this elsewhere.
    assert.equal(d.range.start.line, 1, `error on line ${d.range.start.line}, expected the line of 'a = 1'`);
    assert.ok(
      d.range.start.character <= 8,
      `error at column ${d.range.start.character}, past the end of 'a = 1'`,
    );
    assert.deepEqual(nixkitDiagnostics(valid.document.uri), [], 'a valid CRLF file has findings');
  });

  it('survives empty documents and keeps working', async () => {
    const editor = await openFile('empty.nix', '');
    const untitled = await vscode.workspace.openTextDocument({ language: 'nix', content: '' });
    await serverBarrier();
    // An empty file is not valid Nix, so a finding is allowed; it must be a sane one.
    for (const d of [...nixkitDiagnostics(editor.document.uri), ...nixkitDiagnostics(untitled.uri)]) {
      assert.equal(d.range.start.line, 0);
      assert.ok(d.message.length > 0);
    }
    // Filling and emptying the document again exercises the incremental path on empty text.
    await replaceAll(editor, BROKEN);
    await waitForSyntaxError(editor.document.uri);
    await replaceAll(editor, '');
    // Empty text has only one position, so any finding left over from the broken text shows by its range.
    await waitFor('the findings on the broken text to go away', () =>
      nixkitDiagnostics(editor.document.uri).every((d) => d.range.start.character === 0),
    );
    await editor.document.save();
    await serverBarrier();
  });
});
