// The HTML shell of a webview panel: a strict Content Security Policy with a fresh nonce, one stylesheet and one
// script from dist/webview, nothing inline but the nonce-bearing tags. Everything interpolated is escaped. No
// `vscode` import (unit-tested); the panel passes webview.cspSource and the asWebviewUri strings in.
import * as crypto from 'node:crypto';

/** Escapes text for an HTML text node or a double- or single-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A fresh nonce per page load (base64 of 18 random bytes, 24 characters, no padding). */
export function makeNonce(): string {
  return crypto.randomBytes(18).toString('base64');
}

export interface WebviewPage {
  title: string;
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri?: string;
  /** Text shown until the script renders (and if it never runs). */
  loadingText?: string;
}

/**
 * The Content-Security-Policy: nothing by default; scripts only with the nonce (no eval); styles from the
 * extension's files and nonce'd style elements (lit's constructable stylesheets need no exception); fonts and
 * images from the extension only.
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function webviewHtml(page: WebviewPage): string {
  const e = escapeHtml;
  const csp = contentSecurityPolicy(page.cspSource, page.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${page.styleUri ? `<link rel="stylesheet" nonce="${e(page.nonce)}" href="${e(page.styleUri)}">` : ''}
<title>${e(page.title)}</title>
</head>
<body>
<main id="app" aria-busy="true"><p class="loading">${e(page.loadingText ?? 'Loading…')}</p></main>
<script nonce="${e(page.nonce)}" src="${e(page.scriptUri)}"></script>
</body>
</html>
`;
}
