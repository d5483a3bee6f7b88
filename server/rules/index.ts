// Every rule nixkit has. Codes are stable: the CLI's JSON output and users' suppressions rely on them.
import { espMountMismatch } from './esp-mount-mismatch';
import type { Rule } from './rule';

export const RULES: Rule[] = [espMountMismatch];

export function ruleByCode(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code);
}
