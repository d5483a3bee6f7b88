// The probe panel's page: draws a ProbeView (protocol/webview-messages.ts) and sends the buttons' actions to the extension.
// UI only. Every message is checked with the protocol's guards before use. The DOM is built with createElement and
// textContent only — never innerHTML — so a disk label like `"$(touch /tmp/x)<b>` shows as exactly those characters.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import './base.css';
import './probe-page.css';
import {
  isToWebview,
  type DiskView,
  type FromWebview,
  type ProbeView,
  type ToWebview,
} from '../protocol/webview-messages';
import { dash, facts, formatBytes, h, vscode, type Child } from './dom';

const app = document.getElementById('app')!;

/** A value that came from the target: shown verbatim, in a code font, with line breaks visible. */
function raw(v: string | null): HTMLElement {
  if (v === null) return h('span', { class: 'none' }, '—');
  return h('code', { class: 'raw' }, v);
}

function table(caption: string, headers: string[], rows: HTMLElement[], id: string): HTMLElement {
  return h(
    'table',
    { id, class: 'grid' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows),
  );
}

function section(id: string, title: string, ...children: Child[]): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), ...children);
}

function diskRows(d: DiskView): HTMLElement[] {
  const notes: Child[] = [];
  if (d.liveSystem)
    notes.push(
      h('vscode-badge', { class: 'live', title: 'The running system boots from here' }, 'live system'),
    );
  if (d.removable) notes.push(h('vscode-badge', {}, 'removable'));
  const diskRow = h(
    'tr',
    { class: 'disk' },
    h('th', { scope: 'row' }, h('code', {}, d.path), ...notes),
    h('td', { class: 'num' }, formatBytes(d.sizeBytes)),
    h('td', {}, dash(d.partitionTable)),
    h('td', {}, d.fs ? dash(d.fs.type) : ''),
    h('td', {}, d.fs ? raw(d.fs.label) : ''),
    h('td', {}, d.fs ? raw(d.fs.uuid) : ''),
    h('td', {}, ''),
    h(
      'td',
      {},
      [d.model, d.transport, d.rotational === null ? null : d.rotational ? 'rotational' : 'solid state']
        .filter((x): x is string => !!x)
        .join(', ') || '—',
      d.byId.length ? h('div', { class: 'byid' }, ...d.byId.map((b) => h('code', {}, b))) : null,
    ),
  );
  const parts = d.partitions.map((p) =>
    h(
      'tr',
      { class: 'partition' },
      h('th', { scope: 'row' }, h('code', {}, p.path ?? `#${dash(p.number)}`)),
      h('td', { class: 'num' }, formatBytes(p.sizeBytes)),
      h('td', {}, dash(p.typeName)),
      h('td', {}, p.fs ? dash(p.fs.type) : '—'),
      h('td', { class: 'label' }, p.fs ? raw(p.fs.label) : raw(null)),
      h('td', {}, p.fs ? raw(p.fs.uuid) : raw(null)),
      h(
        'td',
        {},
        ...(p.mountpoints.length
          ? p.mountpoints.flatMap((m, i) => (i ? [' ', h('code', {}, m)] : [h('code', {}, m)]))
          : ['—']),
      ),
      h('td', { class: 'label' }, 'partition name ', raw(p.partlabel)),
    ),
  );
  return [diskRow, ...parts];
}

let busy = false;
const buttons: HTMLElement[] = [];

function send(message: FromWebview): void {
  vscode.postMessage(message);
}

function button(label: string, message: FromWebview, secondary = false): HTMLElement {
  const b = h('vscode-button', { secondary, 'data-action': message.type }, label);
  b.addEventListener('click', () => {
    if (!busy) send(message);
  });
  buttons.push(b);
  return b;
}

function setBusy(value: boolean): void {
  busy = value;
  for (const b of buttons) b.toggleAttribute('disabled', value);
  app.setAttribute('aria-busy', String(value));
}

const status = h('p', { id: 'status', role: 'status', 'aria-live': 'polite' });

function setStatus(level: 'info' | 'error', text: string): void {
  status.className = level;
  status.textContent = text;
}

function render(p: ProbeView, savedAs: string | null): void {
  buttons.length = 0;
  const s = p.system;
  const header = h(
    'header',
    {},
    h('h1', {}, 'Hardware of ', h('code', {}, p.target), p.hostname ? ` (${p.hostname})` : ''),
    h(
      'p',
      { class: 'meta' },
      `Probed ${new Date(p.probedAt).toLocaleString()}`,
      savedAs ? ` · saved as .nixkit/hosts/${savedAs}.json` : ' · not saved in the workspace',
    ),
    h(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': 'Probe actions' },
      button('Save to workspace', { type: 'probe/save' }),
      button('Generate hardware-configuration.nix', { type: 'probe/generateHwconfig' }, true),
      button('Probe again', { type: 'probe/reprobe' }, true),
    ),
    status,
  );

  const warnings = p.warnings.length
    ? section(
        'warnings',
        `Warnings (${p.warnings.length})`,
        h('ul', { class: 'warnings' }, ...p.warnings.map((w) => h('li', { 'data-kind': w.kind }, w.text))),
      )
    : null;

  const fw = p.firmware;
  const system = section(
    'system',
    'System',
    facts([
      [
        'Firmware',
        h(
          'span',
          { class: fw.mode === 'bios' ? 'warn' : undefined },
          fw.mode === 'uefi' ? 'UEFI' : 'BIOS (legacy boot)',
        ),
      ],
      ...(fw.mode === 'uefi'
        ? ([
            [
              'EFI variables',
              fw.efivarsWritable === null ? 'not mounted' : fw.efivarsWritable ? 'writable' : 'read-only',
            ],
            ['Secure Boot', dash(fw.secureBoot)],
          ] as [string, Child][])
        : []),
      ['Platform', h('code', {}, dash(s.nixSystem ?? s.arch))],
      ['CPU', `${dash(p.cpu.model)} (${dash(p.cpu.vendor)}), ${dash(p.cpu.cores)} cores`],
      ['KVM module / microcode', `${dash(p.cpu.kvmModule)} / ${dash(p.cpu.microcode)}`],
      [
        'Memory',
        h(
          'span',
          { class: p.memory.kexecFits === false ? 'warn' : undefined },
          `${formatBytes(p.memory.totalBytes)} total, ${formatBytes(p.memory.availableBytes)} available` +
            (p.memory.kexecFits === null
              ? ''
              : p.memory.kexecFits
                ? ' — enough for kexec'
                : ' — too little for kexec'),
        ),
      ],
      ['Operating system', `${dash(s.os)}${s.nixosInstaller ? ' (NixOS installer)' : ''}`],
      ['Kernel', dash(s.kernel)],
      [
        'Nix',
        s.nixPresent ? `present (${dash(s.nixVersion)})` : h('span', { class: 'warn' }, 'not installed'),
      ],
      ['Virtualisation', s.virtualisation],
      ['Initrd modules', p.initrdModules.length ? h('code', {}, p.initrdModules.join(' ')) : '—'],
      ['Missing tools', p.missingTools.length ? p.missingTools.join(', ') : 'none'],
    ]),
  );

  const disks = section(
    'disks',
    `Disks (${p.disks.length})`,
    table(
      'Disks and their partitions',
      ['Device', 'Size', 'Type', 'File system', 'Label', 'UUID', 'Mounted on', 'Details'],
      p.disks.flatMap(diskRows),
      'disk-table',
    ),
  );

  const controllers = section(
    'controllers',
    `Controllers (${p.controllers.length})`,
    table(
      'Storage, USB and other controllers with their kernel drivers',
      ['Kind', 'Address', 'Driver', 'Module'],
      p.controllers.map((c) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, c.kind),
          h('td', {}, h('code', {}, c.address)),
          h('td', {}, dash(c.driver)),
          h('td', {}, c.module ? h('code', {}, c.module) : '—'),
        ),
      ),
      'controller-table',
    ),
  );

  const nics = section(
    'network',
    `Network interfaces (${p.nics.length})`,
    table(
      'Network interfaces: the name now and the name NixOS will give them',
      ['Interface now', 'Name under NixOS', 'MAC', 'Driver', 'State', 'Addresses'],
      p.nics.map((n) =>
        h(
          'tr',
          { class: n.virtual ? 'virtual' : undefined },
          h('th', { scope: 'row' }, raw(n.name), n.virtual ? h('vscode-badge', {}, 'virtual') : null),
          h(
            'td',
            { title: n.predictedHow },
            n.predictedName === null ? '—' : raw(n.predictedName),
            n.predictedName !== null && n.predictedName !== n.name
              ? h('span', { class: 'renamed' }, ' (renamed)')
              : null,
          ),
          h('td', {}, raw(n.mac)),
          h('td', {}, dash(n.driver)),
          h('td', {}, dash(n.state)),
          h('td', {}, n.addresses.join(', ') || '—'),
        ),
      ),
      'nic-table',
    ),
  );

  app.replaceChildren(
    header,
    ...[warnings, system, disks, controllers, nics].filter((x): x is HTMLElement => !!x),
  );
  setBusy(false);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message: unknown = event.data;
  if (!isToWebview(message)) {
    console.warn('nixkit probe panel: ignored an unexpected message');
    return;
  }
  handle(message);
});

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'probe/show':
      render(message.probe, message.savedAs);
      return;
    case 'probe/saved': {
      const meta = app.querySelector('header .meta');
      if (meta) meta.lastChild!.textContent = ` · saved as ${message.file}`;
      return;
    }
    case 'probe/busy':
      setBusy(message.busy);
      return;
    case 'status':
      setStatus(message.level, message.text);
      return;
  }
}

send({ type: 'ready' });
