// Project settings in a file at the repository root, read by `nixkit check` and the language server alike:
// `nixkit.toml` (`[rules]` / `esp-mount-mismatch = "warning"`) or `.nixkit.json` (`{"rules": {…}}`).
// The nearest one above the checked paths wins, looking up to the repository root (the folder with `.git`).
// A broken file is reported as one clear message, never an exception.
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import { readFileGuarded } from '../model/sources';
import * as path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { Severity } from '../findings';
import type { RuleSettings } from './run-rules';
import type { Range } from '../syntax/positions';
import { isBuiltinCode, isRuleCode } from '../../protocol/diagnostic-codes';
import type { MachineSpec } from '../model/project';

export const PROJECT_CONFIG_FILES = ['nixkit.toml', '.nixkit.json'];
export const RULE_SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'] as const;
export type RuleSeverity = Severity | 'off';

export interface ProjectConfig {
  rules: Record<string, RuleSeverity>;
  /**
   * `[machines]`: NixOS machines that no flake, colmena hive or standalone configuration.nix defines, each a
   * module file evaluated as a configuration of its own (`web = "hosts/web.nix"`, or
   * `web = { file = "hosts/web.nix", system = "x86_64-linux" }`); files relative to the config file.
   */
  machines?: MachineSpec[];
}

export type ProjectConfigResult =
  | { ok: true; file: string; config: ProjectConfig; warnings: string[] }
  | { ok: false; file: string; message: string; range?: Range };

export function isProjectConfigFile(file: string): boolean {
  return PROJECT_CONFIG_FILES.includes(path.basename(file));
}

const SCHEMA = {
  type: 'object',
  properties: {
    rules: {
      type: 'object',
      additionalProperties: { type: 'string', enum: [...RULE_SEVERITIES] },
    },
    machines: {
      type: 'object',
      additionalProperties: {
        oneOf: [
          { type: 'string', minLength: 1 },
          {
            type: 'object',
            properties: { file: { type: 'string', minLength: 1 }, system: { type: 'string' } },
            required: ['file'],
            additionalProperties: false,
          },
        ],
      },
    },
  },
  additionalProperties: false,
};

let validator: ValidateFunction | undefined;
function validate(data: unknown): ErrorObject[] {
  // ajv is loaded only when there is a file to validate: `nixkit check` without one starts faster.
  validator ??= new (require('ajv') as typeof import('ajv')).default({ allErrors: true }).compile(SCHEMA);
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

function describe(e: ErrorObject, toml: boolean): string {
  const where = e.instancePath
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown setting "${where ? where + '.' : ''}${String(e.params.additionalProperty)}" (nixkit reads only ${toml ? '[rules] and [machines]' : '"rules" and "machines"'})`;
    case 'oneOf':
    case 'required':
      if (where.startsWith('machines.'))
        return `${where}: a machine is a file ("hosts/web.nix") or { file = "…", system = "…" }`;
      return `${where || 'the file'}: ${e.message ?? 'invalid'}`;
    case 'enum':
    case 'type':
      if (where.startsWith('rules.'))
        return `${where}: the severity must be one of ${RULE_SEVERITIES.map((s) => `"${s}"`).join(', ')}`;
      return `${where || 'the file'} must be ${toml ? 'a table' : 'an object'}`;
    default:
      return `${where || 'the file'}: ${e.message ?? 'invalid'}`;
  }
}

/** Reads and checks a config file's text. */
export function parseProjectConfig(file: string, text: string): ProjectConfigResult {
  const toml = path.basename(file).endsWith('.toml');
  let data: unknown;
  try {
    data = toml ? parseToml(text) : JSON.parse(text);
  } catch (e) {
    if (e instanceof TomlError) {
      const first = e.message.split('\n')[0].replace(/^Invalid TOML document: /, '');
      const at = { line: Math.max(0, e.line - 1), character: Math.max(0, e.column - 1) };
      return { ok: false, file, message: `not valid TOML: ${first}`, range: { start: at, end: at } };
    }
    const message = (e as Error).message;
    const pos = /at position (\d+)/.exec(message);
    let range: Range | undefined;
    if (pos) {
      const before = text.slice(0, Number(pos[1])).split(/\r?\n/);
      const at = { line: before.length - 1, character: before[before.length - 1].length };
      range = { start: at, end: at };
    }
    return { ok: false, file, message: `not valid JSON: ${message.split('\n')[0]}`, range };
  }
  const errors = validate(data);
  if (errors.length)
    return { ok: false, file, message: [...new Set(errors.map((e) => describe(e, toml)))].join('; ') };
  const rules = { ...((data as ProjectConfig).rules ?? {}) } as Record<string, RuleSeverity>;
  const raw = (data as { machines?: Record<string, string | { file: string; system?: string }> }).machines;
  const machines: MachineSpec[] = Object.entries(raw ?? {}).map(([name, m]) => {
    const spec = typeof m === 'string' ? { file: m } : m;
    return {
      name,
      file: path.resolve(path.dirname(path.resolve(file)), spec.file),
      ...(spec.system ? { system: spec.system } : {}),
    };
  });
  return {
    ok: true,
    file,
    config: { rules, ...(raw ? { machines } : {}) },
    warnings: unknownCodes(Object.keys(rules)),
  };
}

/** Codes that are not rules (misspelt, or a built-in code whose severity is fixed). */
export function unknownCodes(codes: string[]): string[] {
  const out: string[] = [];
  for (const code of codes) {
    if (isRuleCode(code)) continue;
    if (isBuiltinCode(code)) out.push(`"${code}" is not a rule: its severity cannot be changed`);
    else out.push(`unknown rule "${code}"`);
  }
  return out;
}

export function loadProjectConfig(file: string): ProjectConfigResult {
  // Guarded: a FIFO or a device named nixkit.toml must not hang or flood the check.
  const read = readFileGuarded(file, 1024 * 1024);
  if (!read.ok) return { ok: false, file, message: `cannot read it: ${read.message}` };
  return parseProjectConfig(file, read.bytes.toString('utf8'));
}

/** The nearest config file at or above `dir`, stopping at the repository root (a folder with `.git`). */
export function findProjectConfig(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    for (const name of PROJECT_CONFIG_FILES) {
      const candidate = path.join(d, name);
      try {
        if (fs.statSync(candidate).isFile()) return candidate;
      } catch {
        // not here
      }
    }
    if (fs.existsSync(path.join(d, '.git')) || path.dirname(d) === d) return undefined;
  }
}

/** The folder the config search starts from for a set of checked paths: their deepest common folder. */
export function commonFolder(paths: string[]): string {
  const dirs = paths.map((p) => {
    const abs = path.resolve(p);
    try {
      return fs.statSync(abs).isDirectory() ? abs : path.dirname(abs);
    } catch {
      return path.dirname(abs);
    }
  });
  if (!dirs.length) return process.cwd();
  let common = dirs[0].split(path.sep);
  for (const d of dirs.slice(1)) {
    const parts = d.split(path.sep);
    let i = 0;
    while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.join(path.sep) || path.sep;
}

/** Rule settings from a config file, with client settings (the editor's `nixkit.rules`) on top. */
export function ruleSettings(
  file: ProjectConfig | undefined,
  overrides?: Record<string, RuleSeverity>,
): RuleSettings {
  return { severity: { ...(file?.rules ?? {}), ...(overrides ?? {}) } };
}

/** Keeps only valid severities from untrusted settings (the editor's), naming what was dropped. */
export function cleanSeverities(raw: unknown): { rules: Record<string, RuleSeverity>; problems: string[] } {
  const rules: Record<string, RuleSeverity> = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { rules, problems };
  if (typeof raw !== 'object' || Array.isArray(raw))
    return { rules, problems: ['nixkit.rules must be an object'] };
  for (const [code, sev] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof sev === 'string' && (RULE_SEVERITIES as readonly string[]).includes(sev))
      rules[code] = sev as RuleSeverity;
    else problems.push(`nixkit.rules.${code}: the severity must be one of ${RULE_SEVERITIES.join(', ')}`);
  }
  problems.push(...unknownCodes(Object.keys(rules)).map((p) => `nixkit.rules: ${p}`));
  return { rules, problems };
}
