// The webview page shell (extension/panels/webview-html.ts) and the rule that webview code never turns strings into
// markup: escaping, the Content-Security-Policy, and a scan of webview/ for HTML sinks.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  contentSecurityPolicy,
  escapeHtml,
  makeNonce,
  webviewHtml,
} from '../../../extension/panels/webview-html';
import { REPO_ROOT } from '../../helpers';
import { HOSTILE } from './fixture';

describe('webview HTML', () => {
  it('escapes everything that could end a text node or an attribute', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&\`</a>`),
      '&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;&#96;&#60;/a&#62;',
    );
    const escaped = escapeHtml(HOSTILE);
    assert.doesNotMatch(escaped, /[<>"'`]/);
    assert.match(escaped, /\$\(touch \/tmp\/pwned\)/); // harmless in HTML: kept as text
  });

  it('builds a page whose only script is the nonce-bearing bundle, under a strict CSP', () => {
    const nonce = makeNonce();
    assert.match(nonce, /^[A-Za-z0-9+/]{24}$/);
    assert.notEqual(nonce, makeNonce());
    const html = webviewHtml({
      title: `Probe: ${HOSTILE}`,
      cspSource: 'https://example.vscode-cdn.net',
      nonce,
      scriptUri: 'https://example.vscode-cdn.net/dist/webview/probe-page.js',
      styleUri: 'https://example.vscode-cdn.net/dist/webview/probe-page.css',
    });
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.ok(
      html.includes(
        `<script nonce="${nonce}" src="https://example.vscode-cdn.net/dist/webview/probe-page.js">`,
      ),
    );
    assert.doesNotMatch(html, /<img/);
    assert.ok(html.includes('&#60;img src=x onerror=alert(1)&#62;'), 'the title is escaped');
    const csp = contentSecurityPolicy('https://example.vscode-cdn.net', nonce);
    assert.ok(html.includes(`content="${escapeHtml(csp)}"`));
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}'(;|$)`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
  });

  it('webview code never uses an HTML sink', () => {
    const dir = path.join(REPO_ROOT, 'webview');
    const sinks =
      /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|createContextualFragment|\beval\(|new Function\(/;
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      const lines = text.split('\n').filter((l) => !/^\s*\/\//.test(l));
      const hit = lines.find((l) => sinks.test(l));
      assert.equal(hit, undefined, `${f} uses an HTML sink: ${hit}`);
    }
  });
});
