// Saved SSH targets: `.nixkit/targets.json` in a workspace folder (shared with the repository, written by people)
// and the targets probed recently (workspace state). Neither ever holds a secret: an entry is a target string, an
// optional name and an optional key file path; fields that look like secrets are refused with a warning.
import * as vscode from 'vscode';
import { EngineError } from '../engine/errors';
import { parseTarget } from '../engine/ssh/target';
import { parseTargetsFile, type SavedTarget } from './ssh-targets-file';

export type { SavedTarget };

const RECENT_KEY = 'nixkit.recentTargets';
const RECENT_MAX = 10;

export async function loadSavedTargets(
  context: vscode.ExtensionContext,
  warn: (message: string) => void,
): Promise<SavedTarget[]> {
  const out: SavedTarget[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = vscode.Uri.joinPath(folder.uri, '.nixkit', 'targets.json');
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    } catch {
      continue; // no file
    }
    const { targets, problems } = parseTargetsFile(text);
    for (const p of problems) warn(`${vscode.workspace.asRelativePath(uri)}: ${p}`);
    out.push(...targets);
  }
  for (const t of context.workspaceState.get<string[]>(RECENT_KEY, [])) {
    if (typeof t === 'string' && !out.some((o) => o.target === t)) out.push({ target: t, source: 'recent' });
  }
  return out;
}

/** Remembers a target string (never a secret) at the top of the recent list. */
export async function rememberTarget(context: vscode.ExtensionContext, target: string): Promise<void> {
  const recent = context.workspaceState.get<string[]>(RECENT_KEY, []).filter((t) => t !== target);
  await context.workspaceState.update(RECENT_KEY, [target, ...recent].slice(0, RECENT_MAX));
}

/** The input box for a new target, validated as it is typed. */
export async function askForTarget(value?: string): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'NixOS: Probe Hardware',
    prompt: 'The machine to probe: user@host[:port] or a Host alias from ~/.ssh/config',
    placeHolder: 'root@192.0.2.10',
    value,
    ignoreFocusOut: true,
    validateInput: (text) => {
      if (text.trim() === '') return undefined;
      try {
        parseTarget(text);
        return undefined;
      } catch (e) {
        return e instanceof EngineError ? e.message : String(e);
      }
    },
  });
  return typed?.trim() || undefined;
}

/** Quick pick of saved targets plus "Enter a target…"; resolves to the chosen target or undefined. */
export async function pickTarget(
  context: vscode.ExtensionContext,
  warn: (message: string) => void,
  title = 'NixOS: Probe Hardware',
): Promise<SavedTarget | undefined> {
  const saved = await loadSavedTargets(context, warn);
  if (saved.length === 0) {
    const typed = await askForTarget();
    return typed ? { target: typed, source: 'recent' } : undefined;
  }
  type Item = vscode.QuickPickItem & { saved?: SavedTarget };
  const items: Item[] = [
    { label: '$(add) Enter a target…', alwaysShow: true },
    ...saved.map((s) => ({
      label: s.name ?? s.target,
      description: s.name ? s.target : undefined,
      detail: s.source === 'file' ? '.nixkit/targets.json' : 'probed recently',
      saved: s,
    })),
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Which machine? (a saved target, or enter one)',
    ignoreFocusOut: true,
  });
  if (!pick) return undefined;
  if (pick.saved) return pick.saved;
  const typed = await askForTarget();
  return typed ? { target: typed, source: 'recent' } : undefined;
}
