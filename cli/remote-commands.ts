// The subcommands that need the remote engine (ssh2, the probe, the hardware-configuration generator, the
// installer): one bundle, dist/cli-remote.js, that only these commands load.
export { hwconfigCommand } from './hwconfig-command';
export { installCommand } from './install-command';
export { mediaListCommand, mediaWriteCommand } from './media-write-command';
export { probeCommand } from './probe-command';
export { rescueCommand } from './rescue-command';
