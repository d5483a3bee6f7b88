// Stable names for block devices named by kernel enumeration order (`/dev/sda2` → `/dev/disk/by-uuid/…`).
// Today the only source is the configuration's own text (blkid output pasted into a comment); a probe of the
// target registers a source here and every rule that rewrites a device name picks it up.
import type { NixosConfiguration } from '../model/configuration';
import type { SourceProvider } from '../model/sources';

export interface StableName {
  /** The stable path, e.g. `/dev/disk/by-uuid/0f3c…`. */
  path: string;
  /** Where nixkit learnt it, for the fix title ("from the probe of host.example"). */
  from: string;
}

/** Something that knows the stable names of a configuration's devices (a probe report of its target). */
export type DeviceNameSource = (config: NixosConfiguration, device: string) => StableName | undefined;

const registered: DeviceNameSource[] = [];

/** Adds a source of stable names (the probe calls this once; it looks up its report by `config.entry`). */
export function registerDeviceNameSource(source: DeviceNameSource): () => void {
  registered.push(source);
  return () => {
    const i = registered.indexOf(source);
    if (i >= 0) registered.splice(i, 1);
  };
}

/** The stable name of an unstable device path, when something nixkit can see knows it. */
export function stableNameFor(
  config: NixosConfiguration,
  device: string,
  sources: SourceProvider,
): StableName | undefined {
  for (const source of registered) {
    const found = source(config, device);
    if (found) return found;
  }
  return fromBlkidComments(config, device, sources);
}

/**
 * blkid output kept in a comment of one of the configuration's files:
 * `# /dev/sda2: UUID="0f3c…" BLOCK_SIZE="4096" TYPE="ext4" PARTUUID="…"`.
 */
function fromBlkidComments(
  config: NixosConfiguration,
  device: string,
  sources: SourceProvider,
): StableName | undefined {
  const found = new Set<string>();
  for (const file of config.files) {
    const text = sources.parsed(file)?.lines.text;
    if (!text || !text.includes(device + ':')) continue;
    for (const line of text.split('\n')) {
      const m = /^\s*#+\s*(\/dev\/\S+):\s.*?\bUUID="([0-9A-Fa-f-]+)"/.exec(line);
      if (m && m[1] === device) found.add(m[2]);
    }
  }
  // Two different UUIDs for one name: the comments disagree, so nixkit knows nothing.
  if (found.size !== 1) return undefined;
  const uuid = [...found][0];
  return { path: `/dev/disk/by-uuid/${uuid}`, from: 'the blkid output in a comment' };
}
