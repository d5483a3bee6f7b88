// A value printed as `nix-instantiate --eval --strict` prints it (Nix 2.8), forcing it deeply: the differential
// tests compare this text with Nix's. Undefined when any part is unknown (or too deep to print).
import { formatFloat } from './builtins';
import { compareBytes, type Evaluator } from './evaluator';
import type { Value } from './value';

const MAX_PRINT_DEPTH = 200;

export function printValue(ev: Evaluator, v: Value): string | undefined {
  const out: string[] = [];
  const seen = new Set<unknown>();
  return print(ev, v, out, seen, 0) ? out.join('') : undefined;
}

function print(ev: Evaluator, v: Value, out: string[], seen: Set<unknown>, depth: number): boolean {
  if (depth > MAX_PRINT_DEPTH || !ev.charge(1)) return false;
  switch (v.t) {
    case 'int':
      out.push(String(v.v));
      return true;
    case 'float':
      out.push(formatFloat(v.v));
      return true;
    case 'bool':
      out.push(v.v ? 'true' : 'false');
      return true;
    case 'null':
      out.push('null');
      return true;
    case 'str':
      if (v.ctx) return false;
      out.push(quote(v.v));
      return true;
    case 'path':
      out.push(v.v);
      return true;
    case 'lambda':
      out.push('<LAMBDA>');
      return true;
    case 'fn':
      out.push(v.args.length ? '<PRIMOP-APP>' : '<PRIMOP>');
      return true;
    case 'list': {
      if (seen.has(v.items)) {
        out.push('«repeated»');
        return true;
      }
      seen.add(v.items);
      out.push('[ ');
      for (const t of v.items) {
        if (!print(ev, ev.force(t), out, seen, depth + 1)) return false;
        out.push(' ');
      }
      out.push(']');
      return true;
    }
    case 'attrs': {
      if (v.dynamic) return false;
      if (seen.has(v.attrs)) {
        out.push('«repeated»');
        return true;
      }
      seen.add(v.attrs);
      out.push('{ ');
      for (const k of [...v.attrs.keys()].sort(compareBytes)) {
        out.push(attrName(k), ' = ');
        if (!print(ev, ev.force(v.attrs.get(k)!), out, seen, depth + 1)) return false;
        out.push('; ');
      }
      out.push('}');
      return true;
    }
    default:
      return false;
  }
}

const KEYWORDS = new Set(['if', 'then', 'else', 'assert', 'with', 'let', 'in', 'rec', 'inherit', 'or']);

function attrName(k: string): string {
  return /^[a-zA-Z_][a-zA-Z0-9_'-]*$/.test(k) && !KEYWORDS.has(k) ? k : quote(k);
}

/** A string in Nix syntax, escaped as Nix prints it. */
export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === '\\') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '$' && s[i + 1] === '{') out += '\\$';
    else out += c;
  }
  return out + '"';
}
