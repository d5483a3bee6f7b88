// Renders the nixkit/configurations answer as Markdown for "NixOS: Show Configuration". Pure (no `vscode`),
// so unit tests can check it.
import type {
  ConfigurationSummary,
  ConfigurationsResult,
  FileSystemSummary,
  Location,
  LoginMethod,
  ResolvedSetting,
} from '../../protocol/lsp-ext';
import { wholeSetLabel } from '../../protocol/lsp-ext';

/**
 * Relative display paths: file URIs under `root` (a folder URI) lose the prefix. Links point into `root` (the first
 * workspace folder) as `/relative/path#L<line>`: the Markdown preview resolves a link that starts with `/` against
 * the first workspace folder when the document (here a `nixkit:` one) lies in none, and it refuses `file:` links
 * (they would show as raw Markdown). Files outside `root` are named without a link.
 */
export function renderConfigurations(result: ConfigurationsResult, root?: string): string {
  const list = result.configurations;
  const out: string[] = ['# NixOS configurations', ''];
  const rel = (uri: string) => shortPath(uri, root);
  const link = (loc: Location | undefined, text: string) => {
    const target = loc && href(loc.uri, root, loc.range.start.line + 1);
    return target ? `[${escape(text)}](${target})` : escape(text);
  };
  const fileLink = (uri: string) => {
    const target = href(uri, root);
    return target ? `[${escape(rel(uri))}](${target})` : escape(rel(uri));
  };
  out.push(...coverage(result, link));
  for (const n of result.notChecked ?? [])
    out.push(`- ${link(n.location, rel(n.location.uri))} is not checked: ${escape(n.why)}`);
  if (result.notChecked?.length) out.push('');
  if (!list.length) return out.join('\n');
  if (list.length > 1) {
    out.push(...list.map((c) => `- [${escape(c.name)}](#${anchor(c.name)}) (${rel(c.location.uri)})`), '');
  }
  for (const c of list) out.push(...section(c, rel, link, fileLink));
  return out.join('\n');
}

/** What nixkit understood: how many machines it read, partly read or could not follow (and why), or none. */
function coverage(
  result: ConfigurationsResult,
  link: (loc: Location | undefined, text: string) => string,
): string[] {
  const list = result.configurations;
  const notFollowed = result.notFollowed ?? [];
  const out: string[] = [];
  if (!list.length && !notFollowed.length) {
    const files = result.nixFiles
      ? ` in ${result.nixFiles} .nix file${result.nixFiles === 1 ? '' : 's'}`
      : '';
    out.push(
      `nixkit found no NixOS machine${files}: no \`nixosConfigurations\` in a \`flake.nix\`, no colmena hive and no`,
      'standalone `configuration.nix`. A module file can be named a machine in `nixkit.toml` (`[machines]`).',
      '',
    );
    return out;
  }
  const read = list.filter((c) => c.status === 'read').length;
  const partial = list.length - read;
  const machines = notFollowed.filter((m) => !wholeSetLabel(m.name)).length;
  const parts = [`${read} read`];
  if (partial) parts.push(`${partial} partly read`);
  if (machines) parts.push(`${machines} not followed`);
  const n = list.length + machines;
  out.push(`${n} machine${n === 1 ? '' : 's'}: ${parts.join(', ')}.`, '');
  for (const m of notFollowed)
    out.push(
      `- ${wholeSetLabel(m.name) === 'nixosConfigurations' ? '`nixosConfigurations`' : (wholeSetLabel(m.name) ?? `**${escape(m.name)}**`)} (${link(m.location, 'where')}) could not be followed: ${m.reasons.join('; ')}`,
    );
  if (notFollowed.length) out.push('');
  return out;
}

function section(
  c: ConfigurationSummary,
  rel: (uri: string) => string,
  link: (loc: Location | undefined, text: string) => string,
  fileLink: (uri: string) => string,
): string[] {
  const out: string[] = [];
  const origin =
    c.kind === 'flake'
      ? `\`nixosConfigurations.${c.name}\` in ${link(c.location, rel(c.location.uri))}`
      : link(c.location, rel(c.location.uri));
  out.push(`## ${escape(c.name)}`, '', `Declared as ${origin}.`, '');
  if (c.status === 'partial')
    out.push(`**Partly read:** ${c.reasons.join('; ')}. Checks for something missing are not run on it.`, '');
  const f = c.findings;
  const counts = [
    f.error && `${f.error} error${f.error > 1 ? 's' : ''}`,
    f.warning && `${f.warning} warning${f.warning > 1 ? 's' : ''}`,
  ].filter(Boolean);
  if (counts.length) out.push(`**Problems in its files:** ${counts.join(', ')} (see the Problems view).`, '');

  const rows: [string, string][] = [];
  rows.push(['Platform', setting(c.platform, link)]);
  rows.push(['Bootloader', bootloader(c, link)]);
  if (c.bootloader.efi || c.esp) {
    rows.push(['ESP mount point (efiSysMountPoint)', setting(c.efiSysMountPoint, link)]);
    rows.push(['EFI System Partition', c.esp ? fs(c.esp, link) : 'none (no vfat filesystem)']);
  }
  rows.push(['Root filesystem', c.rootFileSystem ? fs(c.rootFileSystem, link) : 'nothing is mounted at `/`']);
  rows.push([
    'Swap',
    c.swap.length
      ? c.swap.map((s) => link(s.location, s.device ?? '(not known statically)')).join(', ')
      : 'none',
  ]);
  rows.push(['stateVersion', setting(c.stateVersion, link)]);
  out.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), '');

  const others = c.fileSystems.filter((x) => x.mountPoint !== '/' && x.mountPoint !== c.esp?.mountPoint);
  if (others.length) {
    out.push('### Other filesystems', '');
    out.push(...others.map((x) => `- ${fs(x, link)}`), '');
  }

  out.push('### Who can log in', '');
  const users = c.users.map((u) => {
    const how = u.methods.length
      ? u.methods.map(loginText).join(', ')
      : u.name === 'root'
        ? 'no password or key (root cannot log in)'
        : '**no way to log in**';
    const role = u.name === 'root' ? '' : u.admin ? ' (wheel: may use sudo)' : '';
    return `- ${link(u.location, u.name)}${role}: ${how}`;
  });
  out.push(...users, '');
  if (!c.users.some((u) => u.admin && u.methods.length))
    out.push('> Neither root nor a member of `wheel` has a password or SSH key nixkit can see.', '');

  if (c.externalModules.length || c.unreadableModules.length) {
    out.push('### Modules nixkit did not read', '');
    out.push(
      'They may set any of the values above; nixkit stays quiet about what they could change.',
      '',
      ...c.externalModules.map((m) => `- \`${m}\``),
      ...c.unreadableModules.map((m) => `- ${link(m.location, m.description)}`),
      '',
    );
  }

  out.push(`### Files (${c.files.length})`, '', ...c.files.map((u) => `- ${fileLink(u)}`), '');
  return out;
}

function setting(s: ResolvedSetting, link: (loc: Location | undefined, text: string) => string): string {
  const from = s.from ? ` (${'`'}${s.from}${'`'})` : '';
  if (s.state === 'known') return `${link(s.location, s.value ?? '')}${from}`;
  if (s.state === 'unknown') return `not known statically${from}`;
  return s.value !== undefined ? `${escape(s.value)} (default)` : 'not set';
}

function bootloader(
  c: ConfigurationSummary,
  link: (loc: Location | undefined, text: string) => string,
): string {
  const b = c.bootloader;
  switch (b.kind) {
    case 'systemd-boot':
      return link(b.location, 'systemd-boot (UEFI)');
    case 'grub': {
      const devices = b.grubDevices?.length
        ? `device ${b.grubDevices.map((d) => `\`${d}\``).join(', ')}`
        : 'no device';
      return link(b.location, `GRUB${b.efi ? ' with EFI support' : ' (BIOS)'}`) + `, ${devices}`;
    }
    case 'extlinux':
      return link(b.location, 'extlinux (U-Boot)');
    case 'limine':
      return link(b.location, 'Limine');
    case 'other':
      return link(b.location, escape(b.name ?? 'another bootloader'));
    case 'none':
      return '**none enabled**';
    default:
      return 'not known statically';
  }
}

function fs(f: FileSystemSummary, link: (loc: Location | undefined, text: string) => string): string {
  const what = [
    f.device ?? (f.origin === 'disko' ? 'a disko partition' : 'device not known'),
    f.fsType && `(${f.fsType})`,
  ]
    .filter(Boolean)
    .join(' ');
  return `${link(f.location, f.mountPoint)}: ${escape(what)}${f.conditional ? ' — only under a condition' : ''}`;
}

function loginText(m: LoginMethod): string {
  switch (m) {
    case 'sshKey':
      return 'SSH key';
    case 'password':
      return 'password (clear text)';
    case 'initialPassword':
      return 'initial password (clear text)';
    case 'hashedPassword':
      return 'password hash';
    case 'initialHashedPassword':
      return 'initial password hash';
    case 'hashedPasswordFile':
      return 'password hash file';
    default:
      return 'a credential nixkit cannot read';
  }
}

/** `/path/under/root#L<line>` for a file URI under `root`, percent-encoded for a Markdown link destination. */
function href(uri: string, root: string | undefined, line?: number): string | undefined {
  const r = root?.replace(/\/$/, '');
  if (!r || !uri.startsWith(r + '/')) return undefined;
  // File URIs are percent-encoded already; parentheses and spaces would end the destination early.
  const path = uri
    .slice(r.length)
    .replace(/[() ]/g, (ch) => '%' + ch.charCodeAt(0).toString(16).toUpperCase());
  return line === undefined ? path : `${path}#L${line}`;
}

function shortPath(uri: string, root: string | undefined): string {
  const r = root?.replace(/\/$/, '');
  if (r && uri.startsWith(r + '/')) return decodeURIComponent(uri.slice(r.length + 1));
  return decodeURIComponent(uri.replace(/^file:\/\//, ''));
}

function escape(s: string): string {
  return s.replace(/([\\`*[\]<>|])/g, '\\$1');
}

function anchor(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\w\- ]/g, '')
    .replace(/ /g, '-');
}
