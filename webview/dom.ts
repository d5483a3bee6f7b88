// What every panel page shares: the VS Code API handle, a safe element builder and number formatting.
// The DOM is built with createElement and text nodes only — never innerHTML — so probe data such as a disk label
// like `"$(touch /tmp/x)<b>` shows as exactly those characters.
import type { FromWebview } from '../protocol/webview-messages';

export interface VsCodeApi {
  postMessage(message: FromWebview): void;
  setState(state: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** The page's one handle to the extension (VS Code allows acquiring it once). */
export const vscode: VsCodeApi = acquireVsCodeApi();

export type Child = Node | string | null | undefined | false;

/** An element with attributes (never event handlers: those are added with addEventListener) and text children. */
export function h(
  tag: string,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (/^on/i.test(k)) throw new Error(`event handler attribute ${k} not allowed`);
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/** A vscode-elements button that calls `onClick` unless it is disabled (a page passes its busy state in). */
export function button(
  label: string,
  onClick: () => void,
  opts: { secondary?: boolean; disabled?: boolean; id?: string } = {},
): HTMLElement {
  const b = h('vscode-button', { secondary: opts.secondary, disabled: opts.disabled, id: opts.id }, label);
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

export function formatBytes(n: number | null): string {
  if (n === null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** A value or a dash when there is none. */
export const dash = (v: string | number | null | undefined): string =>
  v === null || v === undefined || v === '' ? '—' : String(v);

/** A definition list of label/value pairs. */
export function facts(pairs: [string, Child][]): HTMLElement {
  return h('dl', { class: 'facts' }, ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/**
 * Adds lines to the page's command log (`#log`), keeping the last `max`, and follows the end only when the reader
 * was already there (scrolled up to read something, they stay). Returns the lines kept.
 */
export function appendToLog(page: HTMLElement, kept: string[], lines: string[], max: number): string[] {
  let log = [...kept, ...lines];
  if (log.length > max) log = log.slice(-max);
  const el = page.querySelector<HTMLElement>('#log');
  if (el) {
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    el.textContent = log.join('\n');
    if (atBottom) el.scrollTop = el.scrollHeight;
  }
  return log;
}
