// "NixOS: Generate hardware-configuration.nix" (from the probe panel or a probe saved in the workspace) and
// "NixOS: Apply Generated hardware-configuration.nix". The generated text is a read-only virtual document
// (`nixkit-hwconfig:` scheme) shown in a diff against the configuration's current file (or an empty document when
// it has none yet); Apply writes it to that file as an undoable edit.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { generateHardwareConfig } from '../../engine/hwconfig/generate';
import type { ProbeReport } from '../../protocol/probe-report';
import { configurations, exists, folderFor, pickConfigurationName, savedProbes } from '../saved-probes';
import type { ConfigurationSummary } from '../../protocol/lsp-ext';

export const HWCONFIG_SCHEME = 'nixkit-hwconfig';
const FILE_NAME = 'hardware-configuration.nix';

interface Generated {
  text: string;
  /** Where Apply writes. */
  destination: vscode.Uri;
  name: string;
}

class GeneratedDocuments implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  readonly docs = new Map<string, Generated>();
  last: vscode.Uri | undefined;

  set(uri: vscode.Uri, g: Generated): void {
    this.docs.set(uri.toString(), g);
    if (!uri.query) this.last = uri;
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.toString())?.text ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/**
 * The configuration's hardware-configuration.nix: the file of that name its evaluation reads, else
 * hosts/<name>/hardware-configuration.nix. `existing` is false when neither exists yet (then the destination is
 * next to the configuration's configuration.nix, or hosts/<name>/).
 */
export async function hardwareConfigFile(
  folder: vscode.Uri,
  name: string,
  config: ConfigurationSummary | undefined,
): Promise<{ uri: vscode.Uri; existing: boolean }> {
  const files = (config?.files ?? []).map((f) => vscode.Uri.parse(f));
  const imported = files.find((u) => path.posix.basename(u.path) === FILE_NAME);
  if (imported && (await exists(imported))) return { uri: imported, existing: true };
  const conventional = vscode.Uri.joinPath(folder, 'hosts', name, FILE_NAME);
  if (await exists(conventional)) return { uri: conventional, existing: true };
  if (imported) return { uri: imported, existing: false };
  const main = files.find((u) => path.posix.basename(u.path) === 'configuration.nix');
  return { uri: main ? vscode.Uri.joinPath(main, '..', FILE_NAME) : conventional, existing: false };
}

const REAL_FS = /^(ext[234]|btrfs|xfs|f2fs|bcachefs|zfs|vfat|jfs|reiserfs|nilfs2)$/;

/** Where the new system's filesystems are mounted on the target (nixos-generate-config --root). */
async function chooseInstallRoot(report: ProbeReport): Promise<string | undefined> {
  const real = report.mounts.filter((m) => REAL_FS.test(m.fsType) && m.mountPoint !== '/');
  // Tops only: a mount under another candidate is part of that tree (/mnt/boot under /mnt).
  const tops = real.filter(
    (m) => !real.some((o) => o !== m && m.mountPoint.startsWith(o.mountPoint.replace(/\/$/, '') + '/')),
  );
  if (tops.some((m) => m.mountPoint === '/mnt') || tops.length === 0) return '/mnt';
  type Item = vscode.QuickPickItem & { root: string };
  const items: Item[] = [
    ...tops.map((m) => ({
      label: m.mountPoint,
      description: `${m.fsType} on ${m.source}`,
      detail: `${real.filter((o) => o.mountPoint.startsWith(m.mountPoint)).length} file system(s) mounted there`,
      root: m.mountPoint,
    })),
    {
      label: 'Hardware only',
      description: 'no file systems',
      detail: 'Nothing is mounted for the install yet: modules, CPU and platform only.',
      root: '/mnt',
    },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Generate hardware-configuration.nix',
    placeHolder:
      'Where are the new system’s file systems mounted on the target? (nixos-generate-config --root)',
    ignoreFocusOut: true,
  });
  return pick?.root;
}

export interface HardwareConfigCommands {
  /** Generates for a probe and opens the diff; `name` is the configuration (asked for when undefined). */
  generate(report: ProbeReport, name?: string): Promise<void>;
}

export function registerHardwareConfig(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.OutputChannel,
): HardwareConfigCommands {
  const documents = new GeneratedDocuments();
  const warn = (m: string) => output.appendLine(m);

  const generate = async (report: ProbeReport, givenName?: string): Promise<void> => {
    let name = givenName;
    let config: ConfigurationSummary | undefined;
    if (name === undefined) {
      const picked = await pickConfigurationName(client(), 'Generate hardware-configuration.nix');
      if (!picked) return;
      ({ name, config } = picked);
    } else config = (await configurations(client()))?.find((c) => c.name === name);
    const folder = folderFor(config);
    if (!folder) {
      void vscode.window.showErrorMessage('nixkit: open the folder of your NixOS configuration first.');
      return;
    }
    const root = await chooseInstallRoot(report);
    if (root === undefined) return;
    const text = generateHardwareConfig(report, { root });
    const target = await hardwareConfigFile(folder.uri, name, config);
    const generatedUri = vscode.Uri.from({ scheme: HWCONFIG_SCHEME, path: `/${name}/${FILE_NAME}` });
    documents.set(generatedUri, { text, destination: target.uri, name });
    let left = target.uri;
    if (!target.existing) {
      left = vscode.Uri.from({ scheme: HWCONFIG_SCHEME, path: `/${name}/${FILE_NAME}`, query: 'none' });
      documents.set(left, { text: '', destination: target.uri, name });
    }
    const rel = vscode.workspace.asRelativePath(target.uri);
    await vscode.commands.executeCommand(
      'vscode.diff',
      left,
      generatedUri,
      `${rel}${target.existing ? '' : ' (new)'} ↔ generated from the probe`,
    );
    const apply = 'Apply';
    void vscode.window
      .showInformationMessage(
        `Generated hardware-configuration.nix for ${name} (root ${root}). Apply writes it to ${rel}.`,
        apply,
      )
      .then((choice) => {
        if (choice === apply) void applyGenerated(generatedUri);
      });
  };

  const applyGenerated = async (uri?: vscode.Uri): Promise<void> => {
    const candidate =
      uri?.scheme === HWCONFIG_SCHEME
        ? uri
        : vscode.window.activeTextEditor?.document.uri.scheme === HWCONFIG_SCHEME
          ? vscode.window.activeTextEditor.document.uri
          : documents.last;
    const key = candidate?.with({ query: '' });
    const g = key ? documents.docs.get(key.toString()) : undefined;
    if (!g) {
      void vscode.window.showInformationMessage(
        'nixkit: nothing to apply. Generate a hardware-configuration.nix from a probe first.',
      );
      return;
    }
    const dest = g.destination;
    if (await exists(dest)) {
      const doc = await vscode.workspace.openTextDocument(dest);
      const edit = new vscode.WorkspaceEdit();
      edit.replace(dest, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), g.text);
      if (!(await vscode.workspace.applyEdit(edit))) {
        void vscode.window.showErrorMessage(
          `nixkit: could not edit ${vscode.workspace.asRelativePath(dest)}.`,
        );
        return;
      }
      await doc.save();
    } else {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(dest, '..'));
      await vscode.workspace.fs.writeFile(dest, new TextEncoder().encode(g.text));
    }
    await vscode.window.showTextDocument(dest);
    void vscode.window.showInformationMessage(
      `nixkit: wrote ${vscode.workspace.asRelativePath(dest)} for ${g.name}. Make sure the configuration imports it.`,
    );
  };

  context.subscriptions.push(
    documents,
    vscode.workspace.registerTextDocumentContentProvider(HWCONFIG_SCHEME, documents),
    vscode.commands.registerCommand('nixkit.generateHardwareConfiguration', async () => {
      const probes = await savedProbes(warn);
      if (probes.length === 0) {
        const probe = 'Probe Hardware…';
        const answer = await vscode.window.showInformationMessage(
          'nixkit: no probe is saved in this workspace (.nixkit/hosts/<name>.json). Probe the machine first.',
          probe,
        );
        if (answer === probe) await vscode.commands.executeCommand('nixkit.probeHardware');
        return;
      }
      const pick =
        probes.length === 1
          ? probes[0]
          : await vscode.window.showQuickPick(
              probes.map((p) => ({
                label: p.name,
                description: p.report.target ?? undefined,
                detail: `probed ${p.report.probedAt}`,
                ...p,
              })),
              { placeHolder: 'Generate hardware-configuration.nix from which saved probe?' },
            );
      if (pick) await generate(pick.report, pick.name);
    }),
    vscode.commands.registerCommand('nixkit.applyHardwareConfiguration', (uri?: vscode.Uri) =>
      applyGenerated(uri instanceof vscode.Uri ? uri : undefined),
    ),
  );
  return { generate };
}
