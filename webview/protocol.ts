// The one message protocol between the extension and its webview panels (the probe panel now, the install wizard
// later). Both sides import their types and validators from here and nowhere else; each message has a comment
// saying who sends it to whom. Every message that crosses the boundary is checked on arrival with the guards
// below (a webview's page is untrusted; the extension's messages are checked too, so a stale or foreign sender
// cannot make the UI misbehave). No imports: this file is compiled for Node (tsc -p .) and bundled for the browser.
//
// Adding a panel's messages: add its members to ToWebview / FromWebview (types prefixed with the panel, e.g.
// 'wizard/…'), then their guards to TO_WEBVIEW_GUARDS / FROM_WEBVIEW_GUARDS; the mapped types make a missing
// guard a compile error.

// ---------------------------------------------------------------------------------------------------------------
// Data the probe panel shows: a display-ready view of the engine's ProbeReport (extension/panels/probe-view.ts
// builds it). Strings that come from the target (labels, models, names) are carried verbatim: the webview puts
// them into the page as text, never as markup.

export interface FilesystemView {
  type: string | null;
  uuid: string | null;
  label: string | null;
}

export interface PartitionView {
  path: string | null;
  number: number | null;
  sizeBytes: number | null;
  typeName: string | null;
  partuuid: string | null;
  partlabel: string | null;
  fs: FilesystemView | null;
  mountpoints: string[];
}

export interface DiskView {
  path: string;
  sizeBytes: number;
  model: string | null;
  serial: string | null;
  transport: string | null;
  rotational: boolean | null;
  removable: boolean;
  byId: string[];
  /** 'gpt', 'dos', … or null when there is none. */
  partitionTable: string | null;
  /** The live/rescue system runs from this disk. */
  liveSystem: boolean;
  /** A filesystem on the whole disk (no partition table). */
  fs: FilesystemView | null;
  partitions: PartitionView[];
}

export interface ControllerView {
  kind: string;
  address: string;
  driver: string | null;
  module: string | null;
}

export interface NicView {
  name: string;
  mac: string | null;
  driver: string | null;
  state: string | null;
  virtual: boolean;
  /** "10.0.0.2/24" */
  addresses: string[];
  /** The name NixOS will give it, null when none could be predicted. */
  predictedName: string | null;
  /** How it was predicted (udevadm, sysfs, kernel, none) and by which rule. */
  predictedHow: string;
}

export interface ProbeWarningView {
  /** Stable identifier for tests and styling: bios, low-ram, no-nix, missing-tools, other. */
  kind: 'bios' | 'low-ram' | 'no-nix' | 'missing-tools' | 'other';
  text: string;
}

export interface ProbeView {
  /** What was typed or picked (user@host:port or an alias). */
  target: string;
  probedAt: string;
  hostname: string | null;
  system: {
    nixSystem: string | null;
    arch: string | null;
    kernel: string | null;
    os: string | null;
    nixosInstaller: boolean;
    nixVersion: string | null;
    nixPresent: boolean;
    virtualisation: string;
  };
  firmware: {
    mode: 'uefi' | 'bios';
    efivarsWritable: boolean | null;
    secureBoot: string | null;
  };
  cpu: {
    vendor: string | null;
    model: string | null;
    cores: number | null;
    kvmModule: string | null;
    microcode: string | null;
  };
  memory: { totalBytes: number | null; availableBytes: number | null; kexecFits: boolean | null };
  disks: DiskView[];
  controllers: ControllerView[];
  nics: NicView[];
  /** Kernel modules the initrd needs for the storage controllers. */
  initrdModules: string[];
  missingTools: string[];
  warnings: ProbeWarningView[];
}

// ---------------------------------------------------------------------------------------------------------------
// Messages.

export type ToWebview =
  /** extension → probe panel: the probe to show (answer to 'ready', and after every new probe). */
  | { type: 'probe/show'; probe: ProbeView; savedAs: string | null }
  /** extension → probe panel: the probe was saved as .nixkit/hosts/<name>.json. */
  | { type: 'probe/saved'; name: string; file: string }
  /** extension → probe panel: an action is running (busy=true) or finished (false); disables the buttons. */
  | { type: 'probe/busy'; busy: boolean }
  /** extension → any panel: a one-line outcome of an action, shown in the panel's status line. */
  | { type: 'status'; level: 'info' | 'error'; text: string };

export type FromWebview =
  /** any panel → extension: the page's script is running; send the current state. */
  | { type: 'ready' }
  /** probe panel → extension: "Save to workspace" pressed. */
  | { type: 'probe/save' }
  /** probe panel → extension: "Generate hardware-configuration.nix" pressed. */
  | { type: 'probe/generateHwconfig' }
  /** probe panel → extension: "Probe again" pressed (same target). */
  | { type: 'probe/reprobe' };

// ---------------------------------------------------------------------------------------------------------------
// Guards: small combinators, so each message's check reads like its type.

export type Guard<T> = (v: unknown) => v is T;

/** Upper bounds that keep a hostile or broken message from exhausting the receiver. */
export const LIMITS = { stringLength: 1 << 20, arrayLength: 10_000 } as const;

export const isString: Guard<string> = (v): v is string =>
  typeof v === 'string' && v.length <= LIMITS.stringLength;
export const isBoolean: Guard<boolean> = (v): v is boolean => typeof v === 'boolean';
export const isNumber: Guard<number> = (v): v is number => typeof v === 'number' && Number.isFinite(v);

export function nullable<T>(g: Guard<T>): Guard<T | null> {
  return (v): v is T | null => v === null || g(v);
}

export function arrayOf<T>(g: Guard<T>): Guard<T[]> {
  return (v): v is T[] => Array.isArray(v) && v.length <= LIMITS.arrayLength && v.every((x) => g(x));
}

export function oneOf<const T extends readonly (string | number | boolean | null)[]>(
  ...values: T
): Guard<T[number]> {
  return (v): v is T[number] => values.includes(v as T[number]);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * An object with exactly these properties (each checked by its guard; no others allowed, so a typo or an injected
 * field is an error, not silently carried along).
 */
export function objectOf<T extends object>(shape: { [K in keyof T]-?: Guard<T[K]> }): Guard<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return (v): v is T => {
    if (!isPlainObject(v)) return false;
    for (const k of Object.keys(v)) if (!Object.prototype.hasOwnProperty.call(shape, k)) return false;
    return keys.every((k) => (shape[k] as Guard<unknown>)(v[k]));
  };
}

const str = isString;
const strOrNull = nullable(isString);
const numOrNull = nullable(isNumber);
const boolOrNull = nullable(isBoolean);
const strings = arrayOf(isString);

const isFilesystemView = objectOf<FilesystemView>({ type: strOrNull, uuid: strOrNull, label: strOrNull });

const isPartitionView = objectOf<PartitionView>({
  path: strOrNull,
  number: numOrNull,
  sizeBytes: numOrNull,
  typeName: strOrNull,
  partuuid: strOrNull,
  partlabel: strOrNull,
  fs: nullable(isFilesystemView),
  mountpoints: strings,
});

const isDiskView = objectOf<DiskView>({
  path: str,
  sizeBytes: isNumber,
  model: strOrNull,
  serial: strOrNull,
  transport: strOrNull,
  rotational: boolOrNull,
  removable: isBoolean,
  byId: strings,
  partitionTable: strOrNull,
  liveSystem: isBoolean,
  fs: nullable(isFilesystemView),
  partitions: arrayOf(isPartitionView),
});

const isControllerView = objectOf<ControllerView>({
  kind: str,
  address: str,
  driver: strOrNull,
  module: strOrNull,
});

const isNicView = objectOf<NicView>({
  name: str,
  mac: strOrNull,
  driver: strOrNull,
  state: strOrNull,
  virtual: isBoolean,
  addresses: strings,
  predictedName: strOrNull,
  predictedHow: str,
});

const isProbeWarningView = objectOf<ProbeWarningView>({
  kind: oneOf('bios', 'low-ram', 'no-nix', 'missing-tools', 'other'),
  text: str,
});

export const isProbeView: Guard<ProbeView> = objectOf<ProbeView>({
  target: str,
  probedAt: str,
  hostname: strOrNull,
  system: objectOf<ProbeView['system']>({
    nixSystem: strOrNull,
    arch: strOrNull,
    kernel: strOrNull,
    os: strOrNull,
    nixosInstaller: isBoolean,
    nixVersion: strOrNull,
    nixPresent: isBoolean,
    virtualisation: str,
  }),
  firmware: objectOf<ProbeView['firmware']>({
    mode: oneOf('uefi', 'bios'),
    efivarsWritable: boolOrNull,
    secureBoot: strOrNull,
  }),
  cpu: objectOf<ProbeView['cpu']>({
    vendor: strOrNull,
    model: strOrNull,
    cores: numOrNull,
    kvmModule: strOrNull,
    microcode: strOrNull,
  }),
  memory: objectOf<ProbeView['memory']>({
    totalBytes: numOrNull,
    availableBytes: numOrNull,
    kexecFits: boolOrNull,
  }),
  disks: arrayOf(isDiskView),
  controllers: arrayOf(isControllerView),
  nics: arrayOf(isNicView),
  initrdModules: strings,
  missingTools: strings,
  warnings: arrayOf(isProbeWarningView),
});

type Guards<U extends { type: string }> = { [K in U['type']]: Guard<Extract<U, { type: K }>> };

/** One guard per extension → webview message type. */
export const TO_WEBVIEW_GUARDS: Guards<ToWebview> = {
  'probe/show': objectOf({ type: oneOf('probe/show'), probe: isProbeView, savedAs: strOrNull }),
  'probe/saved': objectOf({ type: oneOf('probe/saved'), name: str, file: str }),
  'probe/busy': objectOf({ type: oneOf('probe/busy'), busy: isBoolean }),
  status: objectOf({ type: oneOf('status'), level: oneOf('info', 'error'), text: str }),
};

/** One guard per webview → extension message type. */
export const FROM_WEBVIEW_GUARDS: Guards<FromWebview> = {
  ready: objectOf({ type: oneOf('ready') }),
  'probe/save': objectOf({ type: oneOf('probe/save') }),
  'probe/generateHwconfig': objectOf({ type: oneOf('probe/generateHwconfig') }),
  'probe/reprobe': objectOf({ type: oneOf('probe/reprobe') }),
};

function byType<U extends { type: string }>(guards: Guards<U>): Guard<U> {
  return (v): v is U => {
    if (!isPlainObject(v) || typeof v.type !== 'string') return false;
    if (!Object.prototype.hasOwnProperty.call(guards, v.type)) return false;
    return (guards as Record<string, Guard<unknown>>)[v.type](v);
  };
}

/** Checks a message the webview received (from the extension). */
export const isToWebview: Guard<ToWebview> = byType(TO_WEBVIEW_GUARDS);
/** Checks a message the extension received (from a webview). */
export const isFromWebview: Guard<FromWebview> = byType(FROM_WEBVIEW_GUARDS);

/** A short, safe description of a rejected message for a log line (its type only, never its content). */
export function describeRejected(v: unknown): string {
  if (isPlainObject(v) && typeof v.type === 'string')
    return `message of type ${JSON.stringify(v.type.slice(0, 60))} with an unexpected shape`;
  return `message that is not an object with a type (${Array.isArray(v) ? 'array' : typeof v})`;
}
