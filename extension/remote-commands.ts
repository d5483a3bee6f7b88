// The commands of the SSH side (dist/remote.js), in a module of their own with no imports: main.ts registers a
// stand-in for each (so opening a .nix file never loads ssh2 and the engine), remote.ts the real ones. One list
// for both bundles; a unit test checks it is exactly what remote.ts's command modules register.
export const REMOTE_COMMANDS = [
  'nixkit.probeHardware',
  'nixkit.forgetHostKey',
  'nixkit.generateHardwareConfiguration',
  'nixkit.applyHardwareConfiguration',
  'nixkit.installToHost',
  'nixkit.writeInstallerImage',
  'nixkit.testImage',
  'nixkit.serveNetboot',
  'nixkit.showNetbootServer',
  'nixkit.stopNetboot',
  'nixkit.recoverHost',
] as const;
