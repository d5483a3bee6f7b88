// Building blocks for quick fixes: write Nix text safely and place new bindings beside existing ones.
import type { Definition } from '../model/modules';
import type { SourceProvider } from '../model/sources';
import type { RuleEdit } from './rule';

/** A Nix string literal for any text (quotes, backslashes and `${` escaped). */
export function nixString(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\$\{/g, '\\${') + '"';
}

/** An attribute name as Nix needs it: bare when it is an identifier, quoted otherwise. */
export function attrName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_'-]*$/.test(name) &&
    !['if', 'then', 'else', 'let', 'in', 'rec', 'with', 'assert', 'inherit', 'or'].includes(name)
    ? name
    : nixString(name);
}

export function attrPath(path: string[]): string {
  return path.map(attrName).join('.');
}

/** Replaces the value expression of a definition. */
export function replaceValue(def: Definition, newText: string): RuleEdit | undefined {
  return def.valueAt ? { at: def.valueAt, newText } : undefined;
}

/**
 * Adds `option = value;` on a new line after the binding of `near`, written relative to the set that binding is
 * in (after `boot.loader = { systemd-boot.enable = true; … }` it writes `efi.efiSysMountPoint = …;`). Undefined
 * when `option` does not belong in that set.
 */
export function insertSibling(
  near: Definition,
  option: string[],
  valueText: string,
  sources: SourceProvider,
): RuleEdit | undefined {
  if (!near.binding || near.bindingKeys === undefined) return undefined;
  const prefix = near.path.slice(0, near.path.length - near.bindingKeys);
  if (option.length <= prefix.length || !prefix.every((k, i) => option[i] === k)) return undefined;
  const parsed = sources.parsed(near.binding.file);
  if (!parsed) return undefined;
  const text = parsed.lines.text;
  const end = near.binding.span.end;
  const lineStart = text.lastIndexOf('\n', near.binding.span.start - 1) + 1;
  const indent = /^[ \t]*/.exec(text.slice(lineStart))![0];
  return {
    at: { file: near.binding.file, span: { start: end, end } },
    newText: `\n${indent}${attrPath(option.slice(prefix.length))} = ${valueText};`,
  };
}
