// Probes saved in the workspace, one per NixOS configuration: `.nixkit/hosts/<name>.json` holds the probe report
// exactly as `nixkit probe --json` prints it (so `nixkit hwconfig` and `nixkit check --probe` read it as is), where
// <name> is the `nixosConfigurations` entry it belongs to — the convention the probe-aware analysis reads. The index
// `.nixkit/hosts.json` records, per name, the file, the target it was probed on and when (no secrets).
import { requestConfigurations } from './lsp-requests';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { validateProbeReport } from '../protocol/probe-report-schema';
import type { ProbeReport } from '../protocol/probe-report';
import { type ConfigurationSummary } from '../protocol/lsp-ext';

/** Configuration names that are safe as file names (nixosConfigurations attribute names, in practice). */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$/;

export function validHostName(name: string): string | undefined {
  if (NAME.test(name) && !name.endsWith('.json')) return undefined;
  return "use letters, digits, '_', '-', '+' and '.', starting with a letter, digit or '_'";
}

export function probePath(folder: vscode.Uri, name: string): vscode.Uri {
  return vscode.Uri.joinPath(folder, '.nixkit', 'hosts', `${name}.json`);
}

export interface HostIndexEntry {
  probe: string;
  target: string | null;
  probedAt: string;
  savedAt: string;
}

export interface HostIndex {
  version: 1;
  hosts: Record<string, HostIndexEntry>;
}

/** Whether a workspace file exists (any file system VS Code has). */
export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function readJson(uri: vscode.Uri): Promise<unknown> {
  return JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))) as unknown;
}

function writeText(uri: vscode.Uri, text: string): Thenable<void> {
  return vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

/** The NixOS configurations the language server knows, or undefined when it cannot tell (not running, error). */
export async function configurations(
  client: LanguageClient | undefined,
): Promise<ConfigurationSummary[] | undefined> {
  if (!client) return undefined;
  try {
    const result = await Promise.race([
      requestConfigurations(client),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
    ]);
    return result?.configurations;
  } catch {
    return undefined;
  }
}

/** Asks which configuration a probe belongs to: the workspace's configurations, or a name typed in. */
export async function pickConfigurationName(
  client: LanguageClient | undefined,
  title: string,
  suggested?: string,
): Promise<{ name: string; config?: ConfigurationSummary } | undefined> {
  const configs = (await configurations(client)) ?? [];
  const typeName = async (): Promise<string | undefined> =>
    (
      await vscode.window.showInputBox({
        title,
        prompt: 'Name of the NixOS configuration (the nixosConfigurations entry) this machine will run',
        value: suggested,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() === '' ? undefined : validHostName(v.trim())),
      })
    )?.trim() || undefined;
  if (configs.length === 0) {
    const name = await typeName();
    return name ? { name } : undefined;
  }
  type Item = vscode.QuickPickItem & { config?: ConfigurationSummary };
  const items: Item[] = [
    ...configs.map((c) => ({
      label: c.name,
      description: c.kind === 'flake' ? 'nixosConfigurations' : 'configuration.nix',
      detail: validHostName(c.name)
        ? 'this name cannot be a file name; choose another name below'
        : undefined,
      config: c,
    })),
    { label: '$(edit) Another name…', alwaysShow: true },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Which NixOS configuration is this machine for?',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  if (pick.config && !validHostName(pick.config.name)) return { name: pick.config.name, config: pick.config };
  const name = await typeName();
  return name ? { name, config: configs.find((c) => c.name === name) } : undefined;
}

/** The workspace folder a configuration lives in (by its declaration), else the first folder. */
export function folderFor(config: ConfigurationSummary | undefined): vscode.WorkspaceFolder | undefined {
  if (config) {
    const f = vscode.workspace.getWorkspaceFolder(vscode.Uri.parse(config.location.uri));
    if (f) return f;
  }
  return vscode.workspace.workspaceFolders?.[0];
}

/**
 * Writes `.nixkit/hosts/<name>.json` and its entry in `.nixkit/hosts.json`. Asks before replacing a saved probe.
 * Resolves to the file written, or undefined when the person declined.
 */
export async function saveProbe(
  folder: vscode.Uri,
  name: string,
  report: ProbeReport,
): Promise<vscode.Uri | undefined> {
  const problem = validHostName(name);
  if (problem) throw new Error(`'${name}' cannot name a probe file: ${problem}`);
  const file = probePath(folder, name);
  if (await exists(file)) {
    const replace = 'Replace';
    const answer = await vscode.window.showWarningMessage(
      `A probe is already saved for ${name}. Replace it?`,
      { modal: true, detail: vscode.workspace.asRelativePath(file) },
      replace,
    );
    if (answer !== replace) return undefined;
  }
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder, '.nixkit', 'hosts'));
  await writeText(file, JSON.stringify(report, null, 2) + '\n');

  const indexUri = vscode.Uri.joinPath(folder, '.nixkit', 'hosts.json');
  let index: HostIndex = { version: 1, hosts: {} };
  try {
    const data = (await readJson(indexUri)) as Partial<HostIndex>;
    if (data && typeof data === 'object' && data.hosts && typeof data.hosts === 'object')
      index = { version: 1, hosts: { ...data.hosts } };
  } catch {
    // none yet, or unreadable: start a fresh index
  }
  index.hosts[name] = {
    probe: `.nixkit/hosts/${name}.json`,
    target: report.target,
    probedAt: report.probedAt,
    savedAt: new Date().toISOString(),
  };
  const sorted: HostIndex = {
    version: 1,
    hosts: Object.fromEntries(Object.entries(index.hosts).sort(([a], [b]) => a.localeCompare(b))),
  };
  await writeText(indexUri, JSON.stringify(sorted, null, 2) + '\n');
  return file;
}

/** Every saved probe of the workspace, validated; invalid files are reported through `warn` and skipped. */
export async function savedProbes(
  warn: (message: string) => void,
): Promise<{ name: string; uri: vscode.Uri; folder: vscode.WorkspaceFolder; report: ProbeReport }[]> {
  const out: { name: string; uri: vscode.Uri; folder: vscode.WorkspaceFolder; report: ProbeReport }[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const dir = vscode.Uri.joinPath(folder.uri, '.nixkit', 'hosts');
    let entries: [string, vscode.FileType][];
    try {
      entries = await vscode.workspace.fs.readDirectory(dir);
    } catch {
      continue;
    }
    for (const [file, type] of entries.sort()) {
      if (type !== vscode.FileType.File || !file.endsWith('.json')) continue;
      const uri = vscode.Uri.joinPath(dir, file);
      try {
        const checked = validateProbeReport(await readJson(uri));
        if (!checked.ok) {
          warn(`${vscode.workspace.asRelativePath(uri)} is not a probe report: ${checked.errors.join('; ')}`);
          continue;
        }
        out.push({ name: file.slice(0, -'.json'.length), uri, folder, report: checked.report });
      } catch (e) {
        warn(`${vscode.workspace.asRelativePath(uri)}: ${(e as Error).message}`);
      }
    }
  }
  return out;
}
