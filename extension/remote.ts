// The SSH side of the extension: the probe panel, hardware configuration generation, the install wizard and the
// installer-media commands.
// It pulls in ssh2, the engine and the webview panels, so it is bundled apart (dist/remote.js) and loaded the
// first time one of its commands runs: opening a .nix file never pays for it.
import type * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerForgetHostKey } from './commands/forget-host-key';
import { registerHardwareConfig } from './commands/hardware-config';
import { registerInstallToHost } from './commands/install-to-host';
import { registerNetboot } from './commands/netboot';
import { registerProbeHardware } from './commands/probe-hardware';
import { registerTestImage } from './commands/test-image';
import { registerWriteInstallerImage } from './commands/write-installer-image';
import { registerRecoverHost } from './commands/recover-host';

/** The commands this module registers (main.ts stands in for them until it is loaded). */
export { REMOTE_COMMANDS } from './remote-commands';

export function registerRemote(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.OutputChannel,
): void {
  const hwconfig = registerHardwareConfig(context, client, output);
  registerProbeHardware(context, client, output, hwconfig);
  registerForgetHostKey(context);
  registerInstallToHost(context, client, output);
  registerWriteInstallerImage(context, output);
  registerTestImage(context);
  registerNetboot(context);
  registerRecoverHost(context, output);
}
