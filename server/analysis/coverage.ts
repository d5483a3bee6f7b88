// What the analysis understood, machine by machine: read, partly read (and why), or not followed (and what
// stopped it). The check command prints it after the findings, puts it in its JSON and SARIF, and the language
// server shows it in "Show Configuration"; a workspace with .nix files but no machine says so.
import type { Project } from '../model/project';
import type { SourceProvider } from '../model/sources';
import { configurationFacts } from '../facts/configuration-facts';
import type { Range } from '../syntax/positions';
import { wholeSetLabel } from '../../protocol/lsp-ext';

export type CoverageStatus = 'read' | 'partial' | 'not-followed';

export interface ConfigurationCoverage {
  name: string;
  /** The file that declares the machine (flake.nix, hive.nix, configuration.nix, a nixkit.toml machine's file). */
  file: string;
  /** Where it is declared, 0-based (LSP). */
  range: Range;
  /** `x86_64-linux`, when nixkit can tell. */
  platform?: string;
  status: CoverageStatus;
  /** Why it is only partly read, or what stopped nixkit. */
  reasons: string[];
}

const ORIGIN: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function coverageOf(project: Project, sources: SourceProvider): ConfigurationCoverage[] {
  const out: ConfigurationCoverage[] = [];
  const units = project.analysisUnits;
  for (const c of project.coverage) {
    const u = units.find((x) => c.configuration && x.configurations.includes(c.configuration));
    const range = c.at ? (sources.parsed(c.at.file)?.lines.rangeOf(c.at.span) ?? ORIGIN) : ORIGIN;
    let platform: string | undefined;
    if (c.configuration && u) {
      try {
        const p = configurationFacts(c.configuration, (t) => u.evaluator.force(t)).platform;
        platform = p.state === 'known' ? p.value : undefined;
      } catch {
        platform = undefined; // a bug in one summary must not hide the coverage
      }
    }
    out.push({
      name: c.name,
      file: c.at?.file ?? c.file,
      range,
      ...(platform ? { platform } : {}),
      status: c.status,
      reasons: c.reasons,
    });
  }
  // Two flakes of one repository that build their machines from the same file (a sub-flake importing the
  // top one's hosts) list each machine twice, the same in every field: once is enough.
  const seen = new Set<string>();
  const unique = out.filter((c) => {
    const k = JSON.stringify([c.name, c.file, c.range, c.status, c.platform, c.reasons]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return unique.sort((a, b) => a.name.localeCompare(b.name) || a.file.localeCompare(b.file));
}

/**
 * The closing lines of `nixkit check`'s text output: "3 machines: 2 read, 1 partly read", then one line per
 * machine not fully read with why; or why no machine was found.
 */
export function coverageText(
  list: ConfigurationCoverage[],
  nixFiles: number,
  where: (c: ConfigurationCoverage) => string,
): string[] {
  const isWhole = (c: ConfigurationCoverage) => c.status === 'not-followed' && !!wholeSetLabel(c.name);
  const machines = list.filter((c) => !isWhole(c));
  const whole = list.filter(isWhole);
  const lines: string[] = [];
  if (!list.length) {
    if (nixFiles)
      lines.push(
        `no NixOS machine found in ${nixFiles} .nix file${nixFiles === 1 ? '' : 's'}: no flake nixosConfigurations, ` +
          'colmena hive or standalone configuration.nix (a module file can be named a machine in nixkit.toml [machines])',
      );
    return lines;
  }
  const count = (s: CoverageStatus) => machines.filter((c) => c.status === s).length;
  const parts: string[] = [];
  if (count('read')) parts.push(`${count('read')} read`);
  if (count('partial')) parts.push(`${count('partial')} partly read`);
  if (count('not-followed')) parts.push(`${count('not-followed')} not followed`);
  const n = machines.length;
  const head = `${n} machine${n === 1 ? '' : 's'}${parts.length ? ': ' + parts.join(', ') : ''}`;
  // Two machines of one name (a nixosConfigurations entry and a colmena node that reads other modules): by where.
  const named = (c: ConfigurationCoverage) =>
    machines.filter((m) => m.name === c.name).length > 1 ? `${c.name} (${where(c)})` : c.name;
  const read = machines.filter((c) => c.status === 'read').map(named);
  lines.push(read.length ? `${head} (read: ${read.join(', ')})` : head);
  // A fleet's machines share most reasons (the same inputs' modules): said once, not once per machine.
  const partial = machines.filter((c) => c.status === 'partial');
  const shared =
    partial.length >= 3 ? partial[0].reasons.filter((r) => partial.every((c) => c.reasons.includes(r))) : [];
  if (shared.length) lines.push(`  all ${partial.length} partly read: ${shared.join('; ')}`);
  const alone: string[] = [];
  for (const c of machines) {
    if (c.status === 'read') continue;
    const own = c.reasons.filter((r) => !(c.status === 'partial' && shared.includes(r)));
    if (!own.length) {
      alone.push(named(c));
      continue;
    }
    const state =
      c.status === 'partial' ? (shared.length ? 'also partly read' : 'partly read') : 'not followed';
    lines.push(
      `  ${c.name} (${where(c)}${c.platform ? `, ${c.platform}` : ''}): ${state}: ${own.join('; ')}`,
    );
  }
  if (alone.length) lines.push(`  for that alone: ${alone.join(', ')}`);
  for (const c of whole)
    lines.push(`  ${wholeSetLabel(c.name)} (${where(c)}) not followed: ${c.reasons.join('; ')}`);
  return lines;
}
