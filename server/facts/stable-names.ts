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
  const found = blkidComments(config, sources).get(device);
  // Two different UUIDs for one name: the comments disagree, so nixkit knows nothing.
  if (!found || found.size !== 1) return undefined;
  const uuid = [...found][0];
  return { path: `/dev/disk/by-uuid/${uuid}`, from: 'the blkid output in a comment' };
}

/**
 * Every blkid comment line of a configuration's files, device → UUIDs, read once per configuration (asked per
 * device, scanning every file each time was devices × files). A configuration is a snapshot: its files do not
 * change under it (an edit to one of them makes a new configuration).
 */
const blkidByConfig = new WeakMap<NixosConfiguration, Map<string, Set<string>>>();

function blkidComments(config: NixosConfiguration, sources: SourceProvider): Map<string, Set<string>> {
  let map = blkidByConfig.get(config);
  if (map) return map;
  map = new Map();
  for (const file of config.files) {
    const text = sources.parsed(file)?.lines.text;
    if (!text || !text.includes('UUID="')) continue;
    for (const m of text.matchAll(/^[ \t]*#+[ \t]*(\/dev\/\S+):[ \t].*?\bUUID="([0-9A-Fa-f-]+)"/gm)) {
      const set = map.get(m[1]) ?? new Set<string>();
      set.add(m[2]);
      map.set(m[1], set);
    }
  }
  blkidByConfig.set(config, map);
  return map;
}
