// The "Write Installer Image" page: draws the MediaWriteView the extension sends (protocol/webview-messages.ts)
// and sends the person's choices back. UI only: the extension owns the state and checks everything again (the
// engine a third time, just before writing). Every message is checked with the protocol's guards; the DOM is built
// with createElement and text nodes only, so a device label like `"$(touch /tmp/x)<b>` shows as those characters.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import './base.css';
import './media-write-page.css';
import {
  isToWebview,
  mediaWriteGate,
  type FromWebview,
  type MediaDeviceView,
  type MediaOverride,
  type MediaProgressView,
  type MediaWriteView,
  type ToWebview,
} from '../protocol/webview-messages';
import { appendToLog, button as domButton, dash, formatBytes, h, type Child, vscode } from './dom';
import {
  BOOT_BADGE,
  deviceSummary,
  overrideLabel,
  progressPercent,
  progressText,
  runTone,
} from './media-write-view';

const app = document.getElementById('app')!;
const LOG_LINES = 500;
const bytes = (n: number) => formatBytes(n);

function send(message: FromWebview): void {
  vscode.postMessage(message);
}

/** A button, off while the extension is busy. */
function button(label: string, onClick: () => void, opts: Parameters<typeof domButton>[2] = {}): HTMLElement {
  return domButton(label, onClick, { ...opts, disabled: opts.disabled || !!view?.busy });
}

// ---------------------------------------------------------------------------------------------------------------
// State on the page: the last view, the log, and what the person chose but has not sent (kept across redraws).

let view: MediaWriteView | undefined;
let progress: MediaProgressView | null = null;
let log: string[] = [];
const draft: {
  where: 'local' | 'ssh';
  target: string;
  device: string | null;
  overrides: MediaOverride[];
  typed: string;
} = { where: 'local', target: '', device: null, overrides: [], typed: '' };

function wherePart(v: MediaWriteView): Child[] {
  const local = h('vscode-radio', {
    name: 'where',
    id: 'where-local',
    label: 'This machine (nixkit asks for administrator rights once, through sudo or pkexec)',
  }) as HTMLInputElement;
  const ssh = h('vscode-radio', {
    name: 'where',
    id: 'where-ssh',
    label: 'A machine over SSH',
  }) as HTMLInputElement;
  local.checked = draft.where === 'local';
  ssh.checked = draft.where === 'ssh';
  const target = h('vscode-textfield', {
    id: 'where-target',
    placeholder: 'root@192.0.2.10 or a Host from ~/.ssh/config',
    'aria-label': 'SSH target',
    disabled: draft.where !== 'ssh',
  }) as HTMLInputElement;
  target.value = draft.target;
  target.addEventListener('input', () => (draft.target = target.value));
  const choose = (w: 'local' | 'ssh') => {
    draft.where = w;
    local.checked = w === 'local';
    ssh.checked = w === 'ssh';
    target.toggleAttribute('disabled', w !== 'ssh');
  };
  local.addEventListener('change', () => local.checked && choose('local'));
  ssh.addEventListener('change', () => ssh.checked && choose('ssh'));
  const read = () => {
    const t = draft.target.trim();
    if (draft.where === 'ssh' && !t) return;
    draft.device = null;
    draft.typed = '';
    send({
      type: 'media/setWhere',
      where: draft.where === 'ssh' ? { kind: 'ssh', target: t } : { kind: 'local', target: null },
    });
  };
  target.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') read();
  });
  return [
    h('h2', {}, '1. Where is the stick?'),
    h('div', { class: 'radios', role: 'radiogroup', 'aria-label': 'Where the device is' }, local, ssh),
    h('div', { class: 'row' }, target, button('Read devices', read, { id: 'read-devices' })),
    v.targets.length
      ? h(
          'div',
          { class: 'recent' },
          h('span', { class: 'muted' }, 'Saved and recent targets: '),
          ...v.targets.map((t) =>
            button(
              t,
              () => {
                draft.target = t;
                choose('ssh');
                read();
              },
              { secondary: true },
            ),
          ),
        )
      : null,
    v.devices !== null
      ? h(
          'p',
          { class: 'muted', id: 'where-shown' },
          'Devices on ',
          h('strong', {}, v.where.kind === 'local' ? 'this machine' : dash(v.where.target)),
          '.',
        )
      : null,
  ];
}

function imagePart(v: MediaWriteView): Child[] {
  const img = v.image;
  return [
    h('h2', {}, '2. Image'),
    h(
      'div',
      { class: 'row' },
      img
        ? h('code', { id: 'image-path', class: 'raw' }, img.path)
        : h('span', { class: 'muted' }, 'No image chosen.'),
      button('Choose image…', () => send({ type: 'media/pickImage' }), {
        secondary: !!img,
        id: 'pick-image',
      }),
    ),
    img
      ? h(
          'div',
          {
            id: 'image-report',
            class: 'image-report',
            'data-boot': img.boot,
            'data-checksum': img.checksum.status,
          },
          h(
            'p',
            {},
            h('vscode-badge', { class: `boot-${img.boot}` }, BOOT_BADGE[img.boot]),
            ' ',
            h('span', { class: 'muted' }, `${bytes(img.sizeBytes)} · ${img.layout}`),
          ),
          h('p', { class: img.boot === 'cd-only-iso' ? 'warn' : '' }, img.bootText),
          h(
            'p',
            { class: `checksum checksum-${img.checksum.status}`, id: 'checksum' },
            img.checksum.status === 'match' ? '✓ ' : img.checksum.status === 'mismatch' ? '✗ ' : '',
            img.checksum.text,
          ),
          img.problems.length
            ? h(
                'ul',
                { class: 'error-box', id: 'image-problems' },
                ...img.problems.map((p) => h('li', {}, p)),
              )
            : null,
        )
      : null,
  ];
}

function deviceCard(v: MediaWriteView, d: MediaDeviceView): HTMLElement {
  const refused = d.refusals.length > 0;
  const radio = h('vscode-radio', {
    name: 'device',
    label: d.path,
    disabled: refused,
    'data-device': d.path,
  }) as HTMLInputElement;
  radio.checked = draft.device === d.path;
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    for (const other of app.querySelectorAll<HTMLInputElement>('vscode-radio[name="device"]'))
      if (other !== radio) other.checked = false;
    if (draft.device !== d.path) draft.typed = '';
    draft.device = d.path;
    render(v);
  });
  // A refused device has no override: its checkboxes would only suggest one.
  const overrides = (refused ? [] : d.overrides).map((o) => {
    const c = h('vscode-checkbox', {
      class: 'override',
      'data-override': o,
      label: overrideLabel(o, d),
      disabled: refused || draft.device !== d.path,
    }) as HTMLInputElement;
    c.checked = draft.device === d.path && draft.overrides.includes(o);
    c.addEventListener('change', () => {
      draft.overrides = c.checked
        ? [...new Set([...draft.overrides, o])]
        : draft.overrides.filter((x) => x !== o);
      gate();
    });
    return c;
  });
  return h(
    'div',
    {
      class: `device-card${refused ? ' refused' : ''}${d.overrides.length && !refused ? ' needs-override' : ''}`,
      'data-device': d.path,
      'aria-disabled': refused ? 'true' : undefined,
    },
    h(
      'div',
      { class: 'device-head' },
      radio,
      h('span', { class: 'muted' }, deviceSummary(d, bytes)),
      d.imageFits === false ? h('vscode-badge', { class: 'too-small' }, 'image does not fit') : null,
    ),
    d.byId.length
      ? h('p', { class: 'muted by-id' }, 'by-id: ', ...d.byId.map((b) => h('code', { class: 'raw' }, b)))
      : h('p', { class: 'muted by-id' }, 'No /dev/disk/by-id name.'),
    d.labels.length
      ? h('p', { class: 'muted' }, 'labels: ', ...d.labels.map((l) => h('code', { class: 'raw label' }, l)))
      : null,
    d.lastWrite ? h('p', { class: 'warn last-write' }, d.lastWrite) : null,
    refused
      ? h(
          'ul',
          { class: 'refusals' },
          ...d.refusals.map((r) => h('li', { class: 'refusal' }, `Never written: ${r}`)),
        )
      : null,
    ...overrides,
  );
}

function devicePart(v: MediaWriteView): Child[] {
  if (v.devices === null)
    return [
      h('h2', {}, '3. Device'),
      h('p', { class: 'muted' }, 'Choose where the stick is and read its devices.'),
    ];
  const ok = v.devices.filter((d) => d.refusals.length === 0);
  const refused = v.devices.filter((d) => d.refusals.length > 0);
  return [
    h('h2', {}, '3. Device'),
    v.warnings.length
      ? h('ul', { class: 'warnings', id: 'device-warnings' }, ...v.warnings.map((w) => h('li', {}, w)))
      : null,
    ok.length
      ? h('div', { class: 'devices', id: 'device-list' }, ...ok.map((d) => deviceCard(v, d)))
      : h(
          'p',
          { class: 'muted', id: 'no-devices' },
          'No USB stick or SD card found. Plug one in and press Refresh.',
        ),
    refused.length
      ? h(
          'details',
          { class: 'refused-devices', id: 'refused-list', open: true },
          h(
            'summary',
            {},
            `${refused.length} disk${refused.length === 1 ? '' : 's'} that nixkit will not write`,
          ),
          ...refused.map((d) => deviceCard(v, d)),
        )
      : null,
    h(
      'div',
      { class: 'row' },
      button('Refresh', () => send({ type: 'media/refresh' }), { secondary: true, id: 'refresh' }),
    ),
  ];
}

let gate: () => void = () => undefined;

function confirmPart(v: MediaWriteView): Child[] {
  const d = v.devices?.find((x) => x.path === draft.device && x.refusals.length === 0);
  const hint = h('p', { id: 'write-hint', class: 'hint', 'aria-live': 'polite' });
  const field = h('vscode-textfield', {
    id: 'confirm-device',
    placeholder: d?.confirmName ?? '',
    'aria-label': d ? `Type ${d.confirmName} to confirm erasing ${d.path}` : 'Device name',
    autocomplete: 'off',
    spellcheck: 'false',
    disabled: !d,
  }) as HTMLInputElement;
  field.value = draft.typed;
  const write = button(
    'Write',
    () =>
      d &&
      send({
        type: 'media/write',
        device: d.path,
        overrides: draft.overrides.filter((o) => d.overrides.includes(o)),
        typedConfirmation: field.value,
      }),
    { id: 'write' },
  );
  gate = () => {
    const g = mediaWriteGate(v, draft.device, draft.overrides, field.value);
    write.toggleAttribute('disabled', !g.enabled);
    hint.textContent = g.hint;
    hint.className = g.enabled ? 'hint ok' : 'hint';
  };
  field.addEventListener('input', () => {
    draft.typed = field.value;
    gate();
  });
  queueMicrotask(gate);
  return [
    h('h2', {}, '4. Confirm and write'),
    d
      ? h(
          'p',
          { id: 'confirm-label' },
          'Everything on ',
          h('code', { class: 'raw' }, d.path),
          ` (${deviceSummary(d, bytes)}) is erased. Type its name, `,
          h('code', {}, d.confirmName),
          ', to continue:',
        )
      : null,
    h('div', { class: 'row' }, field, write),
    hint,
  ];
}

function runPart(v: MediaWriteView): Child[] {
  const r = v.run!;
  const tone = runTone(r);
  const running = r.status === 'running';
  const logEl = h('pre', { id: 'log', class: 'log', tabindex: '0', 'aria-label': 'Write log' });
  logEl.textContent = log.join('\n');
  queueMicrotask(() => (logEl.scrollTop = logEl.scrollHeight));
  return [
    h('h2', {}, running ? `Writing to ${r.device}` : `Outcome for ${r.device}`),
    running ? progressNode() : null,
    h(
      'p',
      {
        class:
          tone === 'ok'
            ? 'ok-box'
            : tone === 'running'
              ? 'muted'
              : tone === 'warn'
                ? 'warn-box'
                : 'error-box',
        id: 'outcome',
        'data-status': r.status,
      },
      r.text,
    ),
    r.sha256
      ? h('p', { class: 'muted' }, 'SHA-256 read back: ', h('code', { id: 'sha256' }, r.sha256))
      : null,
    h(
      'div',
      { class: 'row' },
      running ? button('Cancel', () => send({ type: 'media/cancel' }), { id: 'cancel' }) : null,
      !running
        ? button('Write another', () => send({ type: 'media/again' }), { secondary: true, id: 'again' })
        : null,
    ),
    h('h2', {}, 'Log'),
    logEl,
  ];
}

function progressNode(): HTMLElement {
  if (!progress)
    return h('div', { class: 'progress empty', id: 'progress' }, h('span', { class: 'muted' }, 'Starting…'));
  return h(
    'div',
    { class: 'progress', id: 'progress', 'data-phase': progress.phase },
    h(
      'div',
      {
        class: 'bar',
        role: 'progressbar',
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-valuenow': String(Math.round(progressPercent(progress))),
      },
      h('div', { class: 'fill' }),
    ),
    h('span', { id: 'progress-text' }, progressText(progress, bytes)),
  );
}

function setProgressWidth(): void {
  const fill = app.querySelector<HTMLElement>('#progress .fill');
  if (fill && progress) fill.style.width = `${progressPercent(progress)}%`;
}

function render(v: MediaWriteView): void {
  const focused = document.activeElement?.id;
  if (v.where.kind === 'ssh' && v.where.target && !draft.target) draft.target = v.where.target;
  if (draft.device && !v.devices?.some((d) => d.path === draft.device)) {
    draft.device = null;
    draft.typed = '';
  }
  const status = h(
    'div',
    { id: 'status', role: 'status', 'aria-live': 'polite' },
    v.busy ? h('p', { class: 'busy' }, h('vscode-progress-ring', {}), ' ', v.busy) : null,
    v.error ? h('p', { class: 'error-box', id: 'error' }, v.error) : null,
  );
  const body: Child[] = v.run
    ? runPart(v)
    : [...wherePart(v), ...imagePart(v), ...devicePart(v), ...confirmPart(v)];
  app.replaceChildren(
    h('header', {}, h('h1', {}, 'Write Installer Image')),
    status,
    h('section', { id: v.run ? 'page-run' : 'page-choose', class: 'page' }, ...body),
  );
  app.setAttribute('aria-busy', String(!!v.busy));
  setProgressWidth();
  if (focused) document.getElementById(focused)?.focus();
}

function appendLog(lines: string[]): void {
  log = appendToLog(app, log, lines, LOG_LINES);
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'media/show':
      if (!message.view.run) {
        log = [];
        progress = null;
      }
      if (!view) draft.where = message.view.where.kind;
      view = message.view;
      render(view);
      return;
    case 'media/progress': {
      progress = message.progress;
      const old = app.querySelector('#progress');
      if (old) old.replaceWith(progressNode());
      setProgressWidth();
      return;
    }
    case 'media/log':
      appendLog(message.lines);
      return;
    case 'status':
      if (view) render({ ...view, error: message.level === 'error' ? message.text : view.error });
      return;
    default:
      return; // other panels' messages
  }
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message: unknown = event.data;
  if (!isToWebview(message)) {
    console.warn('nixkit write page: ignored an unexpected message');
    return;
  }
  handle(message);
});

send({ type: 'ready' });
