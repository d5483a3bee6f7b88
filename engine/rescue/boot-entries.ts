// The boot loader's menu as it lies on the installed system's disk: systemd-boot's loader.conf and
// loader/entries/*.conf, GRUB's grub.cfg (menu entries, submenus, `set default=`) and grubenv — which entry is the
// default, which generation each one starts, and the edits that make an earlier generation the default (a rollback).
// Pure text in, text out: the rescue session reads the files over SSH and writes what these functions return.

/** One boot menu entry, whichever loader it belongs to. */
export interface BootEntry {
  /** systemd-boot: the entry file's name (`nixos-generation-3.conf`); GRUB: the menu path by index (`1>2`). */
  id: string;
  title: string;
  /** The generation it starts: from the entry's name, or its `init=` toplevel matched against the generations. */
  generation?: number;
  /** The system it starts: `/nix/store/…-nixos-system-…` from `init=…/init`. */
  toplevel?: string;
  /** The kernel command line it passes (systemd-boot `options`, GRUB's `linux` arguments after the kernel). */
  options: string;
}

export interface BootMenu {
  loader: 'systemd-boot' | 'grub';
  /** The file it was read from, relative to the installed root (`/boot/loader/loader.conf`, `/boot/grub/grub.cfg`). */
  file: string;
  entries: BootEntry[];
  /** The id of the default entry, when the menu says which (undefined: the loader's own choice). */
  defaultId?: string;
  /** How the default was read (`loader.conf default nixos-generation-2.conf`, `grubenv saved_entry=…`). */
  defaultFrom?: string;
}

/** `init=/nix/store/…/init` → the toplevel. */
export function toplevelFromOptions(options: string): string | undefined {
  const m = /(?:^|\s)init=(\/nix\/store\/[^\s/]+)\/init(?:\s|$)/.exec(options);
  return m?.[1];
}

// ---------------------------------------------------------------------------------------------- systemd-boot

/** loader.conf and entry files: `key value` lines, `#` comments, the first word is the key. */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    // systemd-boot: in entries a repeated `options`/`initrd` adds to the earlier ones; in loader.conf the last wins.
    const prev = out.get(m[1]);
    out.set(m[1], prev !== undefined && (m[1] === 'options' || m[1] === 'initrd') ? `${prev} ${m[2]}` : m[2]);
  }
  return out;
}

/** systemd-boot's glob (`*`, `?`, `[...]`) as it matches `default` against entry ids. */
function globMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += '[' + pattern.slice(i + 1, end).replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  try {
    return new RegExp(re + '$').test(name);
  } catch {
    return false;
  }
}

const GENERATION_ENTRY = /^nixos-generation-(\d+)(?:-specialisation-[^.]*)?\.conf$/;

/**
 * systemd-boot's menu: loader.conf's `default` (a glob, with or without `.conf`) matched against the entry files'
 * names. The entries are newest generation first, as systemd-boot shows NixOS's.
 */
export function parseSystemdBoot(
  loaderConfFile: string,
  loaderConf: string | undefined,
  entryFiles: { name: string; text: string }[],
): BootMenu {
  const entries: BootEntry[] = entryFiles.map(({ name, text }) => {
    const kv = parseKeyValues(text);
    const options = kv.get('options') ?? '';
    const gen = GENERATION_ENTRY.exec(name);
    return {
      id: name,
      title: [kv.get('title'), kv.get('version')].filter(Boolean).join(' ') || name,
      ...(gen ? { generation: Number(gen[1]) } : {}),
      ...(toplevelFromOptions(options) ? { toplevel: toplevelFromOptions(options) } : {}),
      options,
    };
  });
  entries.sort((a, b) => (b.generation ?? -1) - (a.generation ?? -1) || a.id.localeCompare(b.id));
  const menu: BootMenu = { loader: 'systemd-boot', file: loaderConfFile, entries };
  const def = loaderConf === undefined ? undefined : parseKeyValues(loaderConf).get('default');
  if (def) {
    const hit = entries.find(
      (e) =>
        globMatch(def, e.id) || globMatch(def, e.id.replace(/\.conf$/, '')) || globMatch(def + '.conf', e.id),
    );
    menu.defaultFrom = `loader.conf: default ${def}`;
    if (hit) menu.defaultId = hit.id;
  }
  return menu;
}

/** loader.conf with `default` set to `entryId` (every other line kept; a missing `default` line is added). */
export function setSystemdBootDefault(loaderConf: string, entryId: string): string {
  if (/[\s]/.test(entryId)) throw new Error(`an entry name with white space cannot be a default: ${entryId}`);
  const lines = loaderConf.split('\n');
  let done = false;
  const out = lines.map((l) => {
    if (/^\s*default(\s|$)/.test(l)) {
      if (done) return `# ${l}`;
      done = true;
      return `default ${entryId}`;
    }
    return l;
  });
  if (!done) {
    if (out.length > 0 && out[out.length - 1] === '') out.splice(out.length - 1, 0, `default ${entryId}`);
    else out.push(`default ${entryId}`);
  }
  const text = out.join('\n');
  return text.endsWith('\n') ? text : text + '\n';
}

// ---------------------------------------------------------------------------------------------- GRUB

/** Unquotes one GRUB word ('…', "…" with backslash escapes, or bare). */
function grubWord(w: string): string {
  if (w.startsWith("'")) return w.slice(1, w.endsWith("'") && w.length > 1 ? -1 : undefined);
  if (w.startsWith('"'))
    return w.slice(1, w.endsWith('"') && w.length > 1 ? -1 : undefined).replace(/\\(.)/g, '$1');
  return w;
}

const WORD = `("(?:[^"\\\\]|\\\\.)*"|'[^']*'|[^\\s{]+)`;
const OPEN = new RegExp(`^\\s*(menuentry|submenu)\\s+${WORD}(.*?)\\{\\s*$`);

export interface GrubMenu extends BootMenu {
  loader: 'grub';
  /** The `set default=` lines: their index in the file and their value (unquoted). */
  defaultLines: { line: number; value: string }[];
  /** The effective `set default=` value (the last that is not the one-time `${next_entry}`). */
  defaultValue?: string;
  /** The default comes from grubenv's saved_entry (`set default=saved` / `${saved_entry}`). */
  usesSavedEntry: boolean;
}

/**
 * grub.cfg's menu: top-level `menuentry`s and `submenu`s (with their entries), numbered as GRUB numbers them
 * (`2`, `1>3`), each entry's `linux` line. The default is the last `set default=` that is not the one-time
 * `${next_entry}` NixOS's grub.cfg starts with; `saved`/`${saved_entry}` defers to grubenv.
 */
export function parseGrubCfg(file: string, text: string, grubenv?: string): GrubMenu {
  const lines = text.split('\n');
  const entries: BootEntry[] = [];
  const defaultLines: { line: number; value: string }[] = [];
  const ids = new Map<string, string>(); // --id and titles → index path
  // The stack of open blocks: menuentry / submenu (with their child counters) or other braces.
  type Frame = {
    kind: 'menuentry' | 'submenu' | 'other';
    path: string;
    title: string;
    next: number;
    entry?: BootEntry;
  };
  const stack: Frame[] = [{ kind: 'submenu', path: '', title: '', next: 0 }];
  const menuFrame = () => [...stack].reverse().find((f) => f.kind === 'submenu')!;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    const open = OPEN.exec(line);
    if (open) {
      const parent = menuFrame();
      const idx = parent.next++;
      const p = parent.path === '' ? String(idx) : `${parent.path}>${idx}`;
      const title = grubWord(open[2]);
      const id = /--id(?:=|\s+)(\S+)/.exec(open[3])?.[1];
      ids.set(title, p);
      if (parent.path === '') ids.set(title, p);
      else ids.set(`${parent.title}>${title}`, p);
      if (id) ids.set(grubWord(id), p);
      if (open[1] === 'submenu') stack.push({ kind: 'submenu', path: p, title, next: 0 });
      else {
        const entry: BootEntry = {
          id: p,
          title: parent.path === '' ? title : `${parent.title} > ${title}`,
          options: '',
        };
        entries.push(entry);
        stack.push({ kind: 'menuentry', path: p, title, next: 0, entry });
      }
      continue;
    }
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    const setDefault = /^\s*set\s+default=(.*)$/.exec(line);
    if (setDefault) defaultLines.push({ line: i, value: grubWord(setDefault[1].trim()) });
    const top = stack[stack.length - 1];
    if (top.kind === 'menuentry' && top.entry) {
      const linux = /^\s*linux(?:efi|16)?\s+(\S+)\s*(.*)$/.exec(line);
      if (linux) {
        top.entry.options = linux[2].trim();
        const t = toplevelFromOptions(top.entry.options);
        if (t) top.entry.toplevel = t;
      }
    }
    if (/\{\s*$/.test(trimmed) && !open) stack.push({ kind: 'other', path: '', title: '', next: 0 });
    if (trimmed === '}' && stack.length > 1) stack.pop();
  }
  // NixOS titles: "NixOS - Configuration 12 (2024-01-01 - 24.05…)".
  for (const e of entries) {
    const g = /Configuration (\d+)\b/.exec(e.title);
    if (g) e.generation = Number(g[1]);
  }
  const effective = [...defaultLines].reverse().find((d) => !/^\$\{?next_entry\}?$/.test(d.value));
  const usesSavedEntry = effective !== undefined && /^(saved|\$\{?saved_entry\}?)$/.test(effective.value);
  const menu: GrubMenu = {
    loader: 'grub',
    file,
    entries,
    defaultLines,
    usesSavedEntry,
    ...(effective ? { defaultValue: effective.value } : {}),
  };
  let value = effective?.value;
  if (usesSavedEntry) {
    value = grubenv === undefined ? undefined : parseGrubenv(grubenv).get('saved_entry');
    menu.defaultFrom = `grubenv saved_entry=${value ?? '(unset)'}`;
    if (value === undefined) value = '0';
  } else if (effective) menu.defaultFrom = `grub.cfg: set default=${effective.value}`;
  else {
    value = '0';
    menu.defaultFrom = 'grub.cfg sets no default: the first entry';
  }
  if (value !== undefined) {
    const byPath = entries.find((e) => e.id === value);
    const byName = ids.get(value);
    // A submenu's index alone means its first entry.
    const target = byPath?.id ?? byName ?? value;
    const hit = entries.find((e) => e.id === target) ?? entries.find((e) => e.id.startsWith(`${target}>`));
    if (hit) menu.defaultId = hit.id;
  }
  return menu;
}

/** grubenv: `key=value` lines after the header, padded with `#` to 1024 bytes. */
export function parseGrubenv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of text.split('\n')) {
    if (l.startsWith('#') || !l.includes('=')) continue;
    out.set(l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1));
  }
  return out;
}

/** A grubenv block (exactly 1024 bytes, as grub-editenv writes it) with saved_entry set; other variables kept. */
export function setGrubenvSavedEntry(grubenv: string | undefined, entryId: string): string {
  const vars = grubenv === undefined ? new Map<string, string>() : parseGrubenv(grubenv);
  vars.set('saved_entry', entryId);
  let body = '# GRUB Environment Block\n';
  for (const [k, v] of vars) {
    if (/[\n]/.test(k + v)) continue;
    body += `${k}=${v}\n`;
  }
  const size = Buffer.byteLength(body);
  if (size > 1024) throw new Error('the GRUB environment block would be larger than 1024 bytes');
  return body + '#'.repeat(1024 - size);
}

/** grub.cfg with its effective `set default=` line pointing at `entryId` (the `1>2` index path). */
export function setGrubCfgDefault(text: string, menu: GrubMenu, entryId: string): string {
  if (!/^\d+(>\d+)*$/.test(entryId)) throw new Error(`not a GRUB menu path: ${entryId}`);
  const lines = text.split('\n');
  const effective = [...menu.defaultLines].reverse().find((d) => !/^\$\{?next_entry\}?$/.test(d.value));
  if (effective) {
    const indent = /^\s*/.exec(lines[effective.line])![0];
    lines[effective.line] = `${indent}set default="${entryId}"`;
  } else lines.unshift(`set default="${entryId}"`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------- both

/** Fills in each entry's generation from its toplevel where its name did not say. */
export function matchGenerations(menu: BootMenu, generations: { number: number; toplevel: string }[]): void {
  for (const e of menu.entries) {
    if (e.generation !== undefined || !e.toplevel) continue;
    const g = generations.filter((x) => x.toplevel === e.toplevel);
    // Two generations of the same system: the newest, as NixOS shows it.
    if (g.length > 0) e.generation = Math.max(...g.map((x) => x.number));
  }
}

/** The entry that starts generation `n` (the plain one, not a specialisation, first). */
export function entryForGeneration(menu: BootMenu, n: number): BootEntry | undefined {
  const all = menu.entries.filter((e) => e.generation === n);
  return all.find((e) => !/specialisation/i.test(e.id + e.title)) ?? all[0];
}
