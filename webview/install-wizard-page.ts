// The install wizard's page: draws the WizardView the extension sends (protocol/webview-messages.ts) and sends the person's
// choices back. UI only: the extension owns the state and checks everything again. Every message is checked with
// the protocol's guards. The DOM is built with createElement and textContent only — never innerHTML — so a disk
// label like `"$(touch /tmp/x)<b>` shows as exactly those characters.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import './base.css';
import './install-wizard-page.css';
import {
  isToWebview,
  type FromWebview,
  type ToWebview,
  type WizardLayoutView,
  type WizardPage,
  type WizardProgressView,
  type WizardView,
} from '../protocol/webview-messages';
import { appendToLog, button as domButton, dash, facts, formatBytes, h, type Child, vscode } from './dom';
import {
  destructiveCount,
  installGate,
  navigation,
  nextPage,
  planNodes,
  previousPage,
  type VNode,
} from './install-wizard-view';

const app = document.getElementById('app')!;
const LOG_LINES = 2000;

/** A pure node tree (install-wizard-view.ts) as elements: strings become text nodes. */
function materialize(n: VNode | string): Node {
  if (typeof n === 'string') return document.createTextNode(n);
  return h(n.tag, n.attrs, ...n.children.map(materialize));
}

function send(message: FromWebview): void {
  vscode.postMessage(message);
}

/** A button, off while the extension is busy. */
function button(label: string, onClick: () => void, opts: Parameters<typeof domButton>[2] = {}): HTMLElement {
  return domButton(label, onClick, { ...opts, disabled: opts.disabled || !!view?.busy });
}

function textfield(
  id: string,
  value: string,
  attrs: Record<string, string | undefined> = {},
): HTMLInputElement {
  const f = h('vscode-textfield', { id, ...attrs }) as HTMLInputElement;
  f.value = value;
  return f;
}

function radio(
  name: string,
  value: string,
  label: string,
  checked: boolean,
  disabled = false,
): HTMLInputElement {
  const r = h('vscode-radio', { name, value, label, disabled, 'data-value': value }) as HTMLInputElement;
  r.checked = checked;
  r.addEventListener('change', () => {
    if (!r.checked) return;
    for (const other of app.querySelectorAll<HTMLInputElement>(`vscode-radio[name="${name}"]`))
      if (other !== r) other.checked = false;
  });
  return r;
}

function checkbox(id: string, label: string, checked: boolean, disabled = false): HTMLInputElement {
  const c = h('vscode-checkbox', { id, label, disabled }) as HTMLInputElement;
  c.checked = checked;
  return c;
}

function checkedValue(name: string): string | null {
  for (const r of app.querySelectorAll<HTMLInputElement>(`vscode-radio[name="${name}"]`))
    if (r.checked) return r.getAttribute('data-value');
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// State on the page: the last view, the install's log (bounded), what was typed but not sent yet.

let view: WizardView | undefined;
let log: string[] = [];
let progress: WizardProgressView | null = null;
/** What the person typed on the current page, kept across redraws (a redraw must not eat the confirmation). */
let drafts: { page: WizardPage | null; target: string; confirm: string } = {
  page: null,
  target: '',
  confirm: '',
};

// ---------------------------------------------------------------------------------------------------------------
// Pages.

function targetPage(v: WizardView): Child[] {
  const field = textfield('target-input', drafts.target || v.target || '', {
    placeholder: 'root@192.0.2.10 or a Host from ~/.ssh/config',
    'aria-label': 'Target',
  });
  field.addEventListener('input', () => (drafts.target = field.value));
  const connect = () => {
    const t = field.value.trim();
    if (t) send({ type: 'wizard/connect', target: t });
  };
  field.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Enter') connect();
  });
  queueMicrotask(() => field.focus());
  return [
    h(
      'p',
      {},
      'The machine to install NixOS on, reachable over SSH as root or a user with sudo. Booted into a NixOS installer, a rescue system or any Linux.',
    ),
    h('div', { class: 'row' }, field, button('Connect and probe', connect, { id: 'connect' })),
    v.recentTargets.length
      ? h(
          'div',
          { class: 'recent' },
          h('span', { class: 'muted' }, 'Recent: '),
          ...v.recentTargets.map((t) =>
            button(t, () => send({ type: 'wizard/connect', target: t }), { secondary: true }),
          ),
        )
      : null,
  ];
}

function probePage(v: WizardView): Child[] {
  const p = v.probe!;
  const s = p.system;
  return [
    h(
      'p',
      {},
      'What nixkit found on ',
      h('code', {}, p.target),
      p.hostname ? ` (${p.hostname})` : '',
      ', probed ',
      new Date(p.probedAt).toLocaleString(),
      '.',
    ),
    p.warnings.length
      ? h('ul', { class: 'warnings', id: 'probe-warnings' }, ...p.warnings.map((w) => h('li', {}, w.text)))
      : null,
    facts([
      ['Firmware', p.firmware.mode === 'uefi' ? 'UEFI' : h('span', { class: 'warn' }, 'BIOS (legacy boot)')],
      ['Platform', h('code', {}, dash(s.nixSystem ?? s.arch))],
      ['CPU', `${dash(p.cpu.model)}, ${dash(p.cpu.cores)} cores`],
      [
        'Memory',
        `${formatBytes(p.memory.totalBytes)} total, ${formatBytes(p.memory.availableBytes)} available`,
      ],
      ['Operating system', `${dash(s.os)}${s.nixosInstaller ? ' (NixOS installer)' : ''}`],
      ['Nix', s.nixPresent ? `present (${dash(s.nixVersion)})` : 'not installed'],
      [
        'Disks',
        `${p.disks.length}: ${p.disks.map((d) => `${d.path} (${formatBytes(d.sizeBytes)})`).join(', ')}`,
      ],
      ['Missing tools', p.missingTools.length ? p.missingTools.join(', ') : 'none'],
    ]),
    h(
      'div',
      { class: 'row' },
      button('Probe again', () => send({ type: 'wizard/connect', target: p.target }), { secondary: true }),
    ),
  ];
}

function diskPage(v: WizardView): Child[] {
  const cards = v.disks.map((d) => {
    const name = d.names[0];
    const chosen = !v.useMounted && v.disk !== null && d.names.includes(v.disk);
    return h(
      'div',
      { class: `disk-card${d.blocked ? ' blocked' : ''}`, 'data-disk': d.path },
      h(
        'div',
        { class: 'disk-head' },
        radio('disk', chosen ? v.disk! : name, chosen ? v.disk! : name, chosen, d.blocked !== null),
        h(
          'span',
          { class: 'muted' },
          `${d.names.includes(d.path) ? '' : ` ${d.path}`} · ${formatBytes(d.sizeBytes)}`,
          d.model ? ` · ${d.model}` : '',
          d.transport ? ` · ${d.transport}` : '',
        ),
        d.liveSystem ? h('vscode-badge', { class: 'live' }, 'live system') : null,
      ),
      d.blocked ? h('p', { class: 'blocked-reason' }, `Cannot be erased: ${d.blocked}.`) : null,
      !d.stableNames
        ? h(
            'p',
            { class: 'muted' },
            'No /dev/disk/by-id name: the kernel name is used (it may change between boots).',
          )
        : d.names.length > 1
          ? h(
              'p',
              { class: 'muted' },
              'Also known as: ',
              ...d.names.slice(1).map((n) => h('code', { class: 'raw' }, n)),
            )
          : null,
      d.partitions.length
        ? h(
            'ul',
            { class: 'partitions' },
            ...d.partitions.map((p) => h('li', {}, h('code', { class: 'raw' }, p))),
          )
        : h('p', { class: 'muted' }, 'No partitions.'),
    );
  });
  const mounted = h(
    'div',
    { class: 'disk-card' },
    radio('disk', '', `Use what is mounted at ${v.root} (no partitioning)`, v.useMounted),
  );
  const l = v.layout;
  const esp = textfield('esp-size', String(l.espSizeMiB), {
    type: 'number',
    min: '64',
    'aria-label': 'ESP size in MiB',
  });
  const swap = textfield('swap-size', String(l.swapSizeMiB), {
    type: 'number',
    min: '0',
    'aria-label': 'Swap size in MiB',
  });
  const fsRadios = (['ext4', 'btrfs', 'xfs'] as const).map((fs) => radio('rootfs', fs, fs, l.rootFs === fs));
  const subvols = checkbox('subvolumes', 'btrfs subvolumes @ (/), @home, @nix', l.subvolumes);
  const luks = checkbox(
    'luks',
    'Encrypt the root with LUKS (the passphrase is asked when the install runs)',
    l.luks,
  );
  const layout = h(
    'fieldset',
    { class: 'layout' },
    h('legend', {}, 'Layout (GPT: EFI system partition, optional swap, root)'),
    h('label', { class: 'field' }, h('span', {}, 'ESP size (MiB)'), esp),
    h(
      'div',
      { class: 'field' },
      h('span', {}, 'Root filesystem'),
      h('div', { class: 'radios', role: 'radiogroup', 'aria-label': 'Root filesystem' }, ...fsRadios),
    ),
    h('label', { class: 'field' }, h('span', {}, 'Swap (MiB, 0 for none)'), swap),
    subvols,
    luks,
  );
  const submit = () => {
    const chosen = checkedValue('disk');
    const layoutView: WizardLayoutView = {
      espSizeMiB: Number(esp.value),
      rootFs: (checkedValue('rootfs') ?? 'ext4') as WizardLayoutView['rootFs'],
      swapSizeMiB: Number(swap.value || '0'),
      subvolumes: subvols.checked,
      luks: luks.checked,
    };
    send({
      type: 'wizard/setDisk',
      disk: chosen === null || chosen === '' ? null : chosen,
      useMounted: chosen === '',
      layout: layoutView,
    });
  };
  return [
    h(
      'p',
      {},
      'The disk to erase and install onto. The disk the running system uses is listed but cannot be chosen.',
    ),
    h('div', { class: 'disks', id: 'disk-list' }, ...cards, mounted),
    layout,
    h('div', { class: 'row' }, button('Next: configuration', submit, { id: 'disk-next' })),
  ];
}

function configurationPage(v: WizardView): Child[] {
  const selectedId = v.configuration ?? v.configurations.find((c) => c.errors === 0)?.id ?? null;
  const list = v.configurations.map((c) =>
    h(
      'div',
      { class: `config-card${c.errors ? ' has-errors' : ''}`, 'data-config': c.name },
      h(
        'div',
        { class: 'disk-head' },
        radio('config', c.id, c.name, c.id === selectedId),
        h('span', { class: 'muted' }, ` ${c.flake}`),
        c.errors
          ? h('vscode-badge', { class: 'error-badge' }, `${c.errors} error${c.errors > 1 ? 's' : ''}`)
          : null,
        c.warnings
          ? h('vscode-badge', { class: 'warning-badge' }, `${c.warnings} warning${c.warnings > 1 ? 's' : ''}`)
          : null,
      ),
      h('p', { class: 'muted' }, `boot loader ${c.bootloader}, ESP at ${c.efiSysMountPoint}`),
      c.findings.length
        ? h(
            'ul',
            { class: 'findings' },
            ...c.findings.map((f) =>
              h(
                'li',
                { class: f.severity },
                h('span', { class: 'sev' }, f.severity),
                ' ',
                f.message,
                ' ',
                h('span', { class: 'muted' }, f.where),
              ),
            ),
          )
        : null,
      c.errors
        ? h(
            'p',
            { class: 'blocked-reason' },
            'Errors block the install: fix them in the editor, then refresh.',
          )
        : null,
    ),
  );
  return [
    h(
      'p',
      {},
      'The flake output to install (nixosConfigurations). nixkit analyses it: errors block the way, warnings are shown.',
    ),
    v.configurations.length
      ? h('div', { class: 'configs', id: 'config-list' }, ...list)
      : h('p', { class: 'muted' }, 'No configurations found yet.'),
    h(
      'div',
      { class: 'row' },
      button('Refresh', () => send({ type: 'wizard/refreshConfigurations' }), { secondary: true }),
      button(
        'Next: strategy',
        () => {
          const id = checkedValue('config');
          if (id) send({ type: 'wizard/setConfiguration', id });
        },
        { id: 'config-next' },
      ),
    ),
  ];
}

function strategyPage(v: WizardView): Child[] {
  const auto = v.strategies.find((s) => s.name === v.autoStrategy);
  const cards = v.strategies.map((s) =>
    h(
      'div',
      { class: `strategy-card${s.ok ? '' : ' blocked'}`, 'data-strategy': s.name },
      radio('strategy', s.name, s.title, v.strategy === s.name, !s.ok),
      h('ul', { class: 'muted preconditions' }, ...s.preconditions.map((p) => h('li', {}, p))),
      s.reasons.length ? h('p', { class: 'blocked-reason' }, `Not possible: ${s.reasons.join('; ')}.`) : null,
      s.warnings.length && s.ok
        ? h('ul', { class: 'warnings' }, ...s.warnings.map((w) => h('li', {}, w)))
        : null,
    ),
  );
  const reboot = checkbox('reboot', 'Reboot into the new system at the end and confirm it runs', v.reboot);
  return [
    h(
      'p',
      {},
      'How the system gets onto the target. nixkit picks one from the probe; choose another only when you know why.',
    ),
    h(
      'div',
      { class: 'strategies', id: 'strategy-list' },
      h(
        'div',
        { class: 'strategy-card' },
        radio(
          'strategy',
          'auto',
          auto ? `Automatic: ${auto.title}` : 'Automatic (no strategy fits this target)',
          v.strategy === null,
          !auto,
        ),
      ),
      ...cards,
    ),
    h(
      'fieldset',
      { class: 'layout' },
      h('legend', {}, 'Build location'),
      h(
        'div',
        { class: 'radios', role: 'radiogroup', 'aria-label': 'Build location' },
        radio('buildon', 'local', 'On this machine (then copied to the target)', v.buildOn === 'local'),
        radio('buildon', 'target', 'On the target', v.buildOn === 'target'),
      ),
    ),
    h(
      'fieldset',
      { class: 'layout', id: 'kexec-image' },
      h('legend', {}, 'Installer image for kexec'),
      h(
        'p',
        { class: 'muted' },
        'Only for the kexec strategy: a NixOS installer kernel and initrd on this machine (a folder with bzImage ' +
          'and initrd), booted in place of the running system.',
      ),
      h(
        'div',
        { class: 'row' },
        v.kexecImage
          ? h('code', { id: 'kexec-image-path' }, v.kexecImage)
          : h('span', { class: 'muted' }, 'none chosen'),
        button('Choose…', () => send({ type: 'wizard/pickKexecImage' }), {
          secondary: true,
          id: 'pick-kexec',
        }),
      ),
    ),
    reboot,
    h(
      'div',
      { class: 'row' },
      button(
        'Next: network',
        () => {
          const s = checkedValue('strategy');
          send({
            type: 'wizard/setStrategy',
            strategy: s === null || s === 'auto' ? null : (s as WizardView['strategy']),
            buildOn: checkedValue('buildon') === 'target' ? 'target' : 'local',
            reboot: reboot.checked,
          });
        },
        { id: 'strategy-next' },
      ),
    ),
  ];
}

function networkPage(v: WizardView): Child[] {
  const n = v.network;
  if (!n) return [h('p', {}, 'Probe the target first.')];
  const flag = (dynamic: boolean | null) =>
    dynamic === null ? 'unknown' : dynamic ? 'dynamic (DHCP or autoconfigured)' : 'static';
  const table = h(
    'table',
    { class: 'network-table', id: 'network-interfaces' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', {}, 'Interface'),
        h('th', {}, 'NixOS name'),
        h('th', {}, 'MAC'),
        h('th', {}, 'Addresses'),
      ),
    ),
    h(
      'tbody',
      {},
      ...n.interfaces.map((i) =>
        h(
          'tr',
          { 'data-nic': i.name, class: i.uplink ? 'uplink' : '' },
          h('td', {}, h('code', {}, i.name), i.uplink ? ' (uplink)' : ''),
          h(
            'td',
            {},
            i.nixosName
              ? h('code', {}, i.nixosName)
              : h(
                  'span',
                  { class: 'muted' },
                  i.virtual ? 'virtual: matched by MAC' : 'unknown: matched by MAC',
                ),
          ),
          h('td', {}, h('code', {}, dash(i.mac))),
          h(
            'td',
            {},
            i.addresses.length
              ? h(
                  'ul',
                  { class: 'addresses' },
                  ...i.addresses.map((a) =>
                    h(
                      'li',
                      { 'data-dynamic': a.dynamic === null ? 'unknown' : String(a.dynamic) },
                      h('code', {}, a.address),
                      ` — ${flag(a.dynamic)}`,
                    ),
                  ),
                )
              : h('span', { class: 'muted' }, 'none'),
          ),
        ),
      ),
    ),
  );
  const routes = h(
    'ul',
    { id: 'network-routes' },
    ...n.routes.map((r) =>
      h(
        'li',
        { 'data-family': r.family },
        `${r.family === 'inet' ? 'IPv4' : 'IPv6'} default via `,
        h('code', {}, dash(r.gateway)),
        ' on ',
        h('code', {}, dash(r.dev)),
        r.proto ? ` (${r.proto})` : '',
        r.onLink ? ' — the gateway is outside the interface’s prefix: it is routed on the link first' : '',
      ),
    ),
  );
  const mode = v.networkMode;
  const style = v.networkStyle ?? n.defaultStyle;
  const proxy = textfield('proxy-url', v.proxy?.url ?? '', {
    placeholder: 'http://[user@]proxy.example.com:3128 (empty: no proxy)',
    'aria-label': 'Proxy URL',
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const proxyPassword = textfield('proxy-password', '', {
    type: 'password',
    placeholder: v.proxy?.hasPassword ? 'kept (type to change)' : 'none',
    'aria-label': 'Proxy password',
    autocomplete: 'off',
  });
  const noProxy = textfield('no-proxy', v.proxy?.noProxy ?? '', {
    placeholder: 'localhost,.internal.example,10.0.0.0/8',
    'aria-label': 'Hosts reached without the proxy',
    spellcheck: 'false',
  });
  const inConfig = checkbox(
    'proxy-in-config',
    'Keep using the proxy in the installed system (networking.proxy in proxy.nix, without the password)',
    v.proxy?.inConfig ?? false,
  );
  return [
    h(
      'p',
      {},
      'What the target has now. A rented server often has no DHCP: keeping these addresses writes ',
      h('code', {}, 'network.nix'),
      ' beside hardware-configuration.nix (which imports it), so the machine answers again after the install.',
    ),
    facts([
      ['Host name', `${dash(n.hostname)}${n.domain ? ` (domain ${n.domain})` : ''}`],
      ['DNS servers', n.dns.length ? n.dns.join(', ') : 'none'],
      ['Search domains', n.searchDomains.length ? n.searchDomains.join(', ') : 'none'],
    ]),
    table,
    h('h2', {}, 'Default routes'),
    n.routes.length ? routes : h('p', { class: 'warn' }, 'No default route: nixkit cannot tell the uplink.'),
    n.notes.length ? h('ul', { class: 'warnings' }, ...n.notes.map((x) => h('li', {}, x))) : null,
    h(
      'fieldset',
      { class: 'layout', id: 'network-mode' },
      h('legend', {}, 'The installed system’s network'),
      h(
        'div',
        { class: 'radios', role: 'radiogroup', 'aria-label': 'Network' },
        radio(
          'netmode',
          'static',
          `Keep these addresses${n.suggested === 'static' ? ' (suggested: they are static)' : ''}`,
          mode === 'static',
          n.staticProblem !== null,
        ),
        radio('netmode', 'dhcp', `DHCP${n.suggested === 'dhcp' ? ' (suggested)' : ''}`, mode === 'dhcp'),
        radio('netmode', 'none', 'Leave it to the configuration (no network.nix)', mode === 'none'),
      ),
      n.staticProblem ? h('p', { class: 'blocked-reason' }, `Cannot keep them: ${n.staticProblem}.`) : null,
    ),
    h(
      'fieldset',
      { class: 'layout', id: 'network-style' },
      h('legend', {}, 'Style'),
      h(
        'div',
        { class: 'radios', role: 'radiogroup', 'aria-label': 'Network style' },
        radio(
          'netstyle',
          'scripted',
          `Scripted networking (networking.interfaces)${n.defaultStyle === 'scripted' ? ' — default' : ''}`,
          style === 'scripted',
        ),
        radio(
          'netstyle',
          'networkd',
          `systemd-networkd (matched by MAC)${n.defaultStyle === 'networkd' ? ' — default' : ''}`,
          style === 'networkd',
        ),
      ),
    ),
    h(
      'fieldset',
      { class: 'layout', id: 'proxy' },
      h('legend', {}, 'Proxy'),
      h(
        'p',
        { class: 'muted' },
        'When the target reaches the internet only through a proxy: every command nixkit runs there gets ' +
          'http_proxy, https_proxy and no_proxy. The password is kept in VS Code’s secret storage only and shown as ***.',
      ),
      h('div', { class: 'row' }, h('label', { for: 'proxy-url' }, 'Proxy URL'), proxy),
      h('div', { class: 'row' }, h('label', { for: 'proxy-password' }, 'Password'), proxyPassword),
      h('div', { class: 'row' }, h('label', { for: 'no-proxy' }, 'No proxy for'), noProxy),
      inConfig,
      h(
        'p',
        { class: 'muted' },
        'The installed system gets the URL without its password: whatever is in networking.proxy is readable by ' +
          'everyone in the Nix store (the proxy-credentials-in-store finding).',
      ),
    ),
    h(
      'div',
      { class: 'row' },
      button(
        'Next: review the plan',
        () => {
          const m = checkedValue('netmode');
          const st = checkedValue('netstyle');
          send({
            type: 'wizard/setNetwork',
            mode: m === 'static' || m === 'dhcp' ? m : 'none',
            style: st === n.defaultStyle ? null : st === 'networkd' ? 'networkd' : 'scripted',
            proxy: proxy.value,
            proxyPassword: proxyPassword.value,
            noProxy: noProxy.value,
            proxyInConfig: inConfig.checked,
          });
        },
        { id: 'network-next' },
      ),
    ),
  ];
}

function reviewPage(v: WizardView): Child[] {
  const plan = v.plan ?? [];
  const disk = v.useMounted ? null : v.disk;
  const config = v.configurations.find((c) => c.id === v.configuration);
  const strategy = v.strategies.find((s) => s.name === (v.strategy ?? v.autoStrategy));
  const hint = h('p', { id: 'install-hint', class: 'hint', 'aria-live': 'polite' });
  const install = button(
    'Install',
    () => send({ type: 'wizard/install', confirmedDisk: disk === null ? null : (field?.value ?? '') }),
    {
      id: 'install',
    },
  );
  const gate = () => {
    const g = installGate(v, field ? field.value : '');
    install.toggleAttribute('disabled', !g.enabled);
    hint.textContent = g.hint;
    hint.className = g.enabled ? 'hint ok' : 'hint';
  };
  let field: HTMLInputElement | undefined;
  const confirm: Child[] = [];
  if (disk !== null) {
    field = textfield('confirm-disk', drafts.confirm, {
      placeholder: disk,
      'aria-label': `Type ${disk} to confirm erasing it`,
      autocomplete: 'off',
      spellcheck: 'false',
    });
    field.addEventListener('input', () => {
      drafts.confirm = field!.value;
      gate();
    });
    confirm.push(
      h(
        'div',
        { class: 'confirm', role: 'group', 'aria-labelledby': 'confirm-label' },
        h(
          'p',
          { id: 'confirm-label' },
          'Everything on ',
          h('code', { class: 'raw' }, disk),
          ' is erased. Type its name to continue:',
        ),
        field,
      ),
    );
  }
  queueMicrotask(gate);
  const n = destructiveCount(plan);
  return [
    facts([
      ['Target', h('code', {}, dash(v.target))],
      ['Disk', disk === null ? `what is mounted at ${v.root}` : h('code', { class: 'raw' }, disk)],
      [
        'Layout',
        disk === null
          ? '—'
          : `ESP ${v.layout.espSizeMiB} MiB, ${v.layout.rootFs}${v.layout.subvolumes && v.layout.rootFs === 'btrfs' ? ' with subvolumes' : ''}${v.layout.swapSizeMiB ? `, swap ${v.layout.swapSizeMiB} MiB` : ''}${v.layout.luks ? ', LUKS' : ''}`,
      ],
      ['Configuration', config ? `${config.flake}#${config.name}` : '—'],
      [
        'Strategy',
        `${strategy?.title ?? '—'}${v.strategy === null ? ' (automatic)' : ''}, build ${v.buildOn === 'local' ? 'on this machine' : 'on the target'}`,
      ],
      ['Reboot at the end', v.reboot ? 'yes' : 'no'],
      [
        'Network',
        v.networkMode === 'static'
          ? `keep the current addresses (network.nix, ${v.networkStyle ?? v.network?.defaultStyle ?? 'scripted'})`
          : v.networkMode === 'dhcp'
            ? `DHCP (network.nix, ${v.networkStyle ?? v.network?.defaultStyle ?? 'scripted'})`
            : 'as the configuration says',
      ],
      [
        'Proxy',
        v.proxy
          ? h(
              'span',
              {},
              h('code', {}, v.proxy.url),
              v.proxy.noProxy ? `, not for ${v.proxy.noProxy}` : '',
              v.proxy.inConfig ? ', kept in proxy.nix' : '',
            )
          : 'none',
      ],
    ]),
    v.planError ? h('p', { class: 'error-box', id: 'plan-error' }, v.planError) : null,
    h(
      'h2',
      {},
      `The plan: ${plan.reduce((a, s) => a + s.commands.length, 0)} commands, ${n} of them destructive`,
    ),
    materialize(planNodes(plan)) as HTMLElement,
    ...confirm,
    h('div', { class: 'row sticky' }, install, hint),
  ];
}

const STATUS_ICON: Record<string, string> = {
  pending: '○',
  running: '◐',
  done: '✓',
  skipped: '–',
  failed: '✗',
  cancelled: '■',
};

/** The running step's progress; an empty placeholder (replaced as progress arrives) when it has reported none. */
function progressNode(): HTMLElement {
  const runningStep = view?.install?.steps.find((s) => s.status === 'running')?.id;
  // Progress belongs to one step: what the previous step reported must not linger under the next one.
  const p = progress && progress.step === runningStep ? progress : null;
  if (!p) return h('div', { class: 'progress empty', id: 'progress' });
  const pct = p.total ? Math.min(100, (100 * p.done) / p.total) : null;
  return h(
    'div',
    { class: 'progress', id: 'progress' },
    h(
      'div',
      {
        class: 'bar',
        role: 'progressbar',
        'aria-valuemin': '0',
        'aria-valuemax': '100',
        'aria-valuenow': pct === null ? undefined : String(Math.round(pct)),
      },
      h('div', { class: 'fill' }),
    ),
    h('span', {}, `${progressAmount(p)}${p.detail ? ` — ${p.detail}` : ''}`),
  );
}

/** "12.0 MiB of 48.0 MiB", "3 of 6 paths", "1 of 4 done" (steps count what is finished). */
function progressAmount(p: WizardProgressView): string {
  if (p.unit === 'bytes')
    return `${formatBytes(p.done)}${p.total !== null ? ` of ${formatBytes(p.total)}` : ''}`;
  if (p.unit === 'steps') return p.total !== null ? `${p.done} of ${p.total} done` : `${p.done} done`;
  return p.total !== null ? `${p.done} of ${p.total} ${p.unit}` : `${p.done} ${p.unit}`;
}

function setProgressWidth(): void {
  const fill = app.querySelector<HTMLElement>('#progress .fill');
  if (!fill || !progress) return;
  const pct = progress.total ? Math.min(100, (100 * progress.done) / progress.total) : 0;
  fill.style.width = `${pct}%`;
}

/**
 * Resuming an install that erases a disk: the plan again and the disk's name typed again, as on the review page
 * (a confirmation saved with the install is never reused).
 */
function resumeReview(r: { disk: string; plan: WizardView['plan'] & object }): Child[] {
  const field = textfield('resume-confirm-disk', '', {
    placeholder: r.disk,
    'aria-label': `Type ${r.disk} to confirm erasing it`,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const go = button('Resume', () => send({ type: 'wizard/resume', confirmedDisk: field.value }), {
    id: 'resume-confirmed',
  });
  const gate = () => go.toggleAttribute('disabled', field.value !== r.disk);
  field.addEventListener('input', gate);
  queueMicrotask(gate);
  const n = destructiveCount(r.plan);
  return [
    h('h2', {}, `Resuming: the plan again, ${n} destructive command${n === 1 ? '' : 's'}`),
    materialize(planNodes(r.plan)) as HTMLElement,
    h(
      'div',
      { class: 'confirm', role: 'group', 'aria-labelledby': 'resume-confirm-label' },
      h(
        'p',
        { id: 'resume-confirm-label' },
        'Everything on ',
        h('code', { class: 'raw' }, r.disk),
        ' is erased. Type its name again to resume:',
      ),
      field,
    ),
    h('div', { class: 'row' }, go),
  ];
}

function runPage(v: WizardView): Child[] {
  const inst = v.install!;
  const running = inst.status === 'running';
  const logEl = h('pre', { id: 'log', class: 'log', tabindex: '0', 'aria-label': 'Install log' });
  logEl.textContent = log.join('\n');
  queueMicrotask(() => (logEl.scrollTop = logEl.scrollHeight));
  return [
    h('p', {}, `Install ${inst.id}: `, h('strong', { id: 'install-status' }, inst.status)),
    h(
      'ol',
      { class: 'steps', id: 'step-list' },
      ...inst.steps.map((s) =>
        h(
          'li',
          { class: `step ${s.status}`, 'data-step': s.id, 'data-status': s.status },
          h('span', { class: 'icon', 'aria-hidden': 'true' }, STATUS_ICON[s.status] ?? '?'),
          ' ',
          s.title,
          h('span', { class: 'muted' }, ` — ${s.status}`),
          s.error ? h('div', { class: 'step-error' }, s.error) : null,
        ),
      ),
    ),
    running ? progressNode() : null,
    inst.error && !running ? h('p', { class: 'error-box' }, inst.error) : null,
    ...(inst.resumeReview && !running ? resumeReview(inst.resumeReview) : []),
    h(
      'div',
      { class: 'row' },
      running ? button('Cancel', () => send({ type: 'wizard/cancel' }), { id: 'cancel' }) : null,
      inst.resumable && !inst.resumeReview
        ? button('Resume', () => send({ type: 'wizard/resume', confirmedDisk: null }), { id: 'resume' })
        : null,
      button('Open transcript', () => send({ type: 'wizard/openTranscript' }), { secondary: true }),
      !running && inst.status !== 'done'
        ? button('Start over', () => send({ type: 'wizard/startOver' }), { secondary: true })
        : null,
    ),
    h('h2', {}, 'Log'),
    logEl,
    h('p', { class: 'muted' }, 'Transcript: ', h('code', {}, inst.transcript)),
  ];
}

function donePage(v: WizardView): Child[] {
  const inst = v.install!;
  return [
    h('p', { class: 'ok-box' }, `NixOS is installed on ${dash(v.target)}.`),
    h('h2', {}, 'Verification'),
    h('ul', { id: 'verification' }, ...inst.verification.map((x) => h('li', {}, x))),
    inst.hostKey ? h('h2', {}, 'The host key') : null,
    inst.hostKey ? h('p', { id: 'host-key' }, inst.hostKey) : null,
    h('h2', {}, 'What next'),
    h('ol', { id: 'next-steps' }, ...inst.nextSteps.map((x) => h('li', {}, x))),
    h('p', { class: 'muted' }, 'Transcript: ', h('code', {}, inst.transcript)),
    h(
      'div',
      { class: 'row' },
      button('Open transcript', () => send({ type: 'wizard/openTranscript' }), { secondary: true }),
      button('Install another', () => send({ type: 'wizard/startOver' }), { secondary: true }),
    ),
  ];
}

const PAGES: Record<WizardPage, (v: WizardView) => Child[]> = {
  target: targetPage,
  probe: probePage,
  disk: diskPage,
  configuration: configurationPage,
  strategy: strategyPage,
  network: networkPage,
  review: reviewPage,
  run: runPage,
  done: donePage,
};

function render(v: WizardView): void {
  const focused = document.activeElement?.id;
  if (drafts.page !== v.page) drafts = { page: v.page, target: '', confirm: '' };
  const nav = h(
    'nav',
    { 'aria-label': 'Install steps' },
    h(
      'ol',
      { class: 'pages', id: 'pages' },
      ...navigation(v).map((n, i) => {
        const b = h(
          'button',
          {
            type: 'button',
            class: 'page-link',
            'data-page': n.page,
            disabled: !n.reachable || n.current || !!v.busy,
            'aria-current': n.current ? 'step' : undefined,
          },
          `${i + 1}. ${n.title}`,
        );
        b.addEventListener('click', () => send({ type: 'wizard/goto', page: n.page }));
        return h('li', { class: n.current ? 'current' : n.reachable ? 'reachable' : 'unreachable' }, b);
      }),
    ),
  );
  const prev = previousPage(v);
  const next = nextPage(v);
  const status = h(
    'div',
    { id: 'status', role: 'status', 'aria-live': 'polite' },
    v.busy ? h('p', { class: 'busy' }, h('vscode-progress-ring', {}), ' ', v.busy) : null,
    v.error ? h('p', { class: 'error-box', id: 'error' }, v.error) : null,
  );
  const body = h(
    'section',
    { id: `page-${v.page}`, class: 'page', 'aria-labelledby': 'page-title' },
    ...PAGES[v.page](v),
  );
  const footer =
    v.page === 'run' || v.page === 'done'
      ? null
      : h(
          'div',
          { class: 'row nav-buttons' },
          prev
            ? button('Back', () => send({ type: 'wizard/goto', page: prev }), { secondary: true, id: 'back' })
            : null,
          next && !['disk', 'configuration', 'strategy', 'network', 'review'].includes(v.page)
            ? button('Next', () => send({ type: 'wizard/goto', page: next }), { id: 'next' })
            : null,
        );
  app.replaceChildren(
    h(
      'header',
      {},
      h(
        'h1',
        { id: 'page-title' },
        'Install NixOS',
        v.page ? ` — ${navigation(v).find((n) => n.current)?.title}` : '',
      ),
      nav,
    ),
    status,
    body,
    ...(footer ? [footer] : []),
  );
  app.setAttribute('aria-busy', String(!!v.busy));
  setProgressWidth();
  if (focused) document.getElementById(focused)?.focus();
}

function appendLog(lines: string[]): void {
  log = appendToLog(app, log, lines, LOG_LINES);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message: unknown = event.data;
  if (!isToWebview(message)) {
    console.warn('nixkit install wizard: ignored an unexpected message');
    return;
  }
  handle(message);
});

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'wizard/show':
      if (view?.install?.id !== message.view.install?.id) {
        log = [];
        progress = null;
      }
      view = message.view;
      render(view);
      return;
    case 'wizard/log':
      appendLog(message.lines);
      return;
    case 'wizard/progress': {
      progress = message.progress;
      const old = app.querySelector('#progress');
      if (old) old.replaceWith(progressNode());
      setProgressWidth();
      return;
    }
    case 'status':
      if (view) render({ ...view, error: message.level === 'error' ? message.text : view.error });
      return;
    default:
      return; // the probe panel's messages
  }
}

send({ type: 'ready' });
