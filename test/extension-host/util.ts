// Helpers for the integration tests: files in the test workspace, nixkit's diagnostics, polling.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'nixkit.nixkit';

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder (the runner opens a copy of examples/)');
  return folder.uri;
}

/** Writes a file into the test workspace (a throwaway copy) and opens it in an editor. */
export async function openFile(name: string, text: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.joinPath(workspaceRoot(), name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc);
}

export function nixkitDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'nixkit');
}

/** `code` may be a plain value or `{ value, target }` when the server links to documentation. */
export function codeOf(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' ? d.code.value : d.code;
}

export function syntaxErrors(uri: vscode.Uri): vscode.Diagnostic[] {
  return nixkitDiagnostics(uri).filter((d) => codeOf(d) === 'syntax-error');
}

export function waitForSyntaxError(uri: vscode.Uri, timeoutMs?: number): Promise<vscode.Diagnostic> {
  return waitFor(`a nixkit syntax-error on ${uri.path}`, () => syntaxErrors(uri)[0], timeoutMs);
}

/**
 * Proves the server has handled everything sent before it: a fresh broken document must come back with a
 * syntax error. The server handles notifications in order, so earlier documents have been checked by then.
 * An absence of diagnostics means something only after such a barrier.
 */
let barriers = 0;
export async function serverBarrier(): Promise<void> {
  // A file rather than an untitled document: an untitled one stays dirty and closing it would ask to save.
  const uri = vscode.Uri.joinPath(workspaceRoot(), `barrier-${++barriers}.nix`);
  await vscode.workspace.fs.writeFile(uri, Buffer.from('{ barrier = ; }', 'utf8'));
  await vscode.workspace.openTextDocument(uri);
  await waitForSyntaxError(uri);
}

export async function replaceAll(editor: vscode.TextEditor, text: string): Promise<void> {
  const doc = editor.document;
  const all = new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length));
  assert.ok(await editor.edit((e) => e.replace(all, text)), 'the edit was not applied');
}
