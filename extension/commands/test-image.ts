// "NixOS: Test Image in a VM": boots an image in QEMU through the engine (engine/media/boot-test.ts, the same as
// `nixkit media test`) before anyone walks to the machine. The image comes from a file dialog, then UEFI or BIOS and
// USB stick or CD; the serial console is shown live in the "nixkit: Test Image" output channel, the stages reached
// in a cancellable notification, and the outcome in one message (with the QEMU command line in the channel, to run
// it again by hand). One test at a time. No folder needs to be open.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { runBootTest } from '../../engine/media/boot-test';
import {
  DEFAULT_BOOT_MARKER,
  type BootFirmware,
  type BootMediumKind,
  type BootStage,
  type BootTestResult,
} from '../../protocol/media-boot';

/** What each stage means, for the notification and the channel. */
export const STAGE_TEXT: Record<BootStage, string> = {
  loader: 'the firmware started a boot loader',
  kernel: 'the Linux kernel started',
  userspace: "the image's own system runs (marker or login prompt)",
};

/** Lines for the channel's summary: every stage with the console line that showed it, then the outcome. */
export function resultLines(r: BootTestResult): string[] {
  const lines = ['', `--- ${r.ok ? 'PASSED' : 'NOT BOOTED'}: ${r.summary}`];
  for (const s of r.stages) lines.push(`    ${s.seconds.toFixed(1)} s  ${STAGE_TEXT[s.stage]}: ${s.line}`);
  if (!r.stages.length) lines.push('    no stage was recognised on the serial console');
  if (r.argv.length) lines.push('', 'QEMU ran as:', `    ${r.argv.map(shellWord).join(' ')}`);
  return lines;
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

const TIME_LIMIT_SECONDS = 600;
const MEMORY_MIB = 1024;

export function registerTestImage(context: vscode.ExtensionContext): void {
  let channel: vscode.OutputChannel | undefined;
  let running = false;
  context.subscriptions.push(
    { dispose: () => channel?.dispose() },
    vscode.commands.registerCommand('nixkit.testImage', async () => {
      if (running) {
        void vscode.window.showWarningMessage('nixkit: an image is being tested already (cancel it first).');
        return;
      }
      const picked = await vscode.window.showOpenDialog({
        title: 'NixOS: Test Image in a VM — the image (an .iso or .img on this machine)',
        canSelectFiles: true,
        canSelectFolders: false,
        canSelectMany: false,
        openLabel: 'Test this image',
        filters: { 'Installer images': ['iso', 'img', 'raw'], 'All files': ['*'] },
      });
      const file = picked?.[0];
      if (!file) return;
      if (file.scheme !== 'file') {
        void vscode.window.showErrorMessage('nixkit: the image must be a file on this machine.');
        return;
      }
      const firmware = await vscode.window.showQuickPick(
        [
          { label: 'UEFI', description: 'OVMF', value: 'uefi' as BootFirmware },
          { label: 'BIOS', description: 'SeaBIOS (legacy boot)', value: 'bios' as BootFirmware },
        ],
        { title: 'Boot firmware', placeHolder: 'Which firmware should the VM have?', ignoreFocusOut: true },
      );
      if (!firmware) return;
      const iso = /\.iso$/i.test(file.fsPath);
      const mediums = [
        {
          label: 'USB stick',
          description: 'as a written stick boots (usb-storage)',
          value: 'usb' as BootMediumKind,
        },
        { label: 'CD', description: 'as a CD-ROM (El Torito)', value: 'cdrom' as BootMediumKind },
      ];
      const medium = await vscode.window.showQuickPick(
        iso ? mediums : [mediums[0]] /* a disk image is no CD */,
        {
          title: 'Boot the image as',
          placeHolder: 'How is the image attached?',
          ignoreFocusOut: true,
        },
      );
      if (!medium) return;

      channel ??= vscode.window.createOutputChannel('nixkit: Test Image');
      const out = channel;
      out.clear();
      out.show(true);
      const label = `${path.basename(file.fsPath)} (${firmware.label}, ${medium.label})`;
      out.appendLine(
        `Booting ${file.fsPath} in QEMU: ${firmware.label}, as a ${medium.label}, time limit ${TIME_LIMIT_SECONDS} s.`,
      );
      out.appendLine(
        `Success means the marker ${DEFAULT_BOOT_MARKER} or a login prompt on the serial console.`,
      );
      out.appendLine('--- serial console');
      running = true;
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Testing ${label}`, cancellable: true },
          async (progress, token) => {
            const abort = new AbortController();
            const sub = token.onCancellationRequested(() => abort.abort());
            progress.report({ message: 'starting QEMU…' });
            try {
              return await runBootTest(
                {
                  image: file.fsPath,
                  firmware: firmware.value,
                  as: medium.value,
                  timeoutSeconds: TIME_LIMIT_SECONDS,
                  memoryMiB: MEMORY_MIB,
                  accel: 'auto',
                },
                {
                  signal: abort.signal,
                  onLine: (line) => out.appendLine(line),
                  onStage: (e) => {
                    out.appendLine(`>>> stage reached: ${STAGE_TEXT[e.stage]} (${e.seconds.toFixed(1)} s)`);
                    progress.report({ message: STAGE_TEXT[e.stage] });
                  },
                },
              );
            } finally {
              sub.dispose();
            }
          },
        );
        for (const l of resultLines(result)) out.appendLine(l);
        const text = `${label}: ${result.summary}`;
        if (result.ok) void vscode.window.showInformationMessage(`nixkit: booted — ${text}`);
        else if (result.outcome === 'cancelled')
          void vscode.window.showInformationMessage(`nixkit: cancelled — ${text}`);
        else
          void vscode.window
            .showErrorMessage(`nixkit: did not boot — ${text}`, 'Show Console')
            .then((b) => b && out.show());
      } catch (e) {
        // runBootTest reports failures as results; anything thrown is a bug or a missing tool, said in one line.
        const m = e instanceof Error ? e.message.split('\n')[0] : String(e);
        out.appendLine(`--- the test could not run: ${e instanceof Error ? (e.stack ?? m) : m}`);
        void vscode.window.showErrorMessage(`nixkit: the image test could not run: ${m}`);
      } finally {
        running = false;
      }
    }),
  );
}
