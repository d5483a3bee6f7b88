// Imported first by main.ts, so this runs before the bundle evaluates the extension's dependencies
// (vscode-languageclient and the rest): the start of the extension's code loading, for its activation time.
export const loadStart = performance.now();
