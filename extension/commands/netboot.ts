// "NixOS: Serve Netboot…" and "NixOS: Stop Netboot Server": serves a netboot set (bzImage, initrd, netboot.ipxe or
// a kernel command line) over HTTP through the engine (engine/media/netboot.ts, the same server as
// `nixkit media netboot`). While it runs, a status bar item shows its address; clicking it shows the server (the
// iPXE script URL, with Stop and Copy); the "nixkit: Netboot" output channel holds the files served, the TFTP/DHCP
// lines for an existing PXE server and every request. One server per window; closing the window stops it.
import * as vscode from 'vscode';
import { parseListen, startNetbootServer, type NetbootServer } from '../../engine/media/netboot';
import type { NetbootServerInfo } from '../../protocol/media-boot';

/** Where the server listens unless the user says otherwise: only this machine (a VM on it reaches 127.0.0.1). */
export const DEFAULT_LISTEN = '127.0.0.1:8080';

/** What the output channel shows about a running server. */
export function serverLines(s: NetbootServerInfo): string[] {
  return [
    `Serving ${s.set.dir} at ${s.baseUrl} (listening on ${s.host}:${s.port}).`,
    `iPXE script: ${s.scriptUrl}`,
    `  kernel ${s.set.kernel}, initrd ${s.set.initrd}${s.set.script ? `, the set's own ${s.set.script}` : ''}${s.set.cmdline ? `, command line: ${s.set.cmdline}` : ''}`,
    'Files:',
    ...s.files.map((f) => `  /${f.name} (${f.size} bytes)`),
    '',
    'From an iPXE prompt:',
    `  chain ${s.scriptUrl}`,
    '',
    'For an existing PXE server (TFTP + DHCP), dnsmasq:',
    ...s.pxeConfig.dnsmasq.split('\n').map((l) => `  ${l}`),
    '',
    'or ISC dhcpd:',
    ...s.pxeConfig.iscDhcpd.split('\n').map((l) => `  ${l}`),
    '',
    '--- requests',
  ];
}

export function registerNetboot(context: vscode.ExtensionContext): void {
  let server: NetbootServer | undefined;
  let channel: vscode.OutputChannel | undefined;
  const item = vscode.window.createStatusBarItem('nixkit.netboot', vscode.StatusBarAlignment.Left, 50);
  item.name = 'nixkit netboot server';
  item.command = 'nixkit.showNetbootServer';

  const stop = async () => {
    const s = server;
    if (!s) return;
    server = undefined;
    item.hide();
    await s.stop();
    channel?.appendLine(`--- stopped: ${s.baseUrl} no longer serves.`);
    void vscode.commands.executeCommand('setContext', 'nixkit.netbootRunning', false);
  };

  const show = async () => {
    const s = server;
    if (!s) {
      void vscode.window.showInformationMessage('nixkit: no netboot server is running.');
      return;
    }
    const pick = await vscode.window.showInformationMessage(
      `nixkit: netboot server running at ${s.baseUrl} — iPXE script ${s.scriptUrl}`,
      'Stop',
      'Copy Script URL',
      'Show TFTP/DHCP Lines',
    );
    if (pick === 'Stop') await stop();
    else if (pick === 'Copy Script URL') await vscode.env.clipboard.writeText(s.scriptUrl);
    else if (pick === 'Show TFTP/DHCP Lines') channel?.show(true);
  };

  context.subscriptions.push(
    item,
    { dispose: () => void stop() },
    { dispose: () => channel?.dispose() },
    vscode.commands.registerCommand('nixkit.serveNetboot', async () => {
      if (server) {
        const b = await vscode.window.showWarningMessage(
          `nixkit: a netboot server is already running at ${server.baseUrl}.`,
          'Stop It',
          'Show It',
        );
        if (b === 'Stop It') await stop();
        else if (b === 'Show It') await show();
        return;
      }
      const picked = await vscode.window.showOpenDialog({
        title: 'NixOS: Serve Netboot — the netboot set (a folder with bzImage, initrd and netboot.ipxe)',
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
        openLabel: 'Serve this folder',
      });
      const dir = picked?.[0];
      if (!dir) return;
      if (dir.scheme !== 'file') {
        void vscode.window.showErrorMessage('nixkit: the netboot set must be a folder on this machine.');
        return;
      }
      const listen = await vscode.window.showInputBox({
        title: 'NixOS: Serve Netboot — address',
        prompt:
          'ADDRESS:PORT to listen on. 127.0.0.1 serves this machine only (a VM here); 0.0.0.0 the network. Port 0: any free port.',
        value: DEFAULT_LISTEN,
        ignoreFocusOut: true,
        validateInput: (text) => {
          try {
            parseListen(text);
            return undefined;
          } catch (e) {
            return e instanceof Error ? e.message.replace('--listen wants', 'Type') : String(e);
          }
        },
      });
      if (listen === undefined) return;
      channel ??= vscode.window.createOutputChannel('nixkit: Netboot');
      const out = channel;
      try {
        server = await startNetbootServer({ dir: dir.fsPath, listen: listen.trim() }, (r) =>
          out.appendLine(`${r.remote} ${r.method} ${r.path} ${r.status} ${r.bytes} bytes`),
        );
      } catch (e) {
        // A bad set or an address in use: the engine's sentence, never a stack trace.
        const m = e instanceof Error ? e.message.split('\n')[0] : String(e);
        void vscode.window.showErrorMessage(`nixkit: the netboot server did not start: ${m}`);
        return;
      }
      out.clear();
      for (const l of serverLines(server)) out.appendLine(l);
      out.show(true);
      item.text = `$(broadcast) Netboot ${server.host}:${server.port}`;
      item.tooltip = `nixkit serves ${server.set.dir}\niPXE script: ${server.scriptUrl}\nClick to stop it or copy the URL.`;
      item.show();
      void vscode.commands.executeCommand('setContext', 'nixkit.netbootRunning', true);
      void show();
    }),
    vscode.commands.registerCommand('nixkit.showNetbootServer', show),
    vscode.commands.registerCommand('nixkit.stopNetboot', stop),
  );
}
