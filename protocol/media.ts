// Installer media: writing an image to a USB stick or SD card. The engine (engine/media/) lists the devices it may
// write, inspects the image, writes, reads back and powers the device off; the CLI (`nixkit media list|write`) and
// the VS Code write page show the same values. Plain JSON; only types live here.
//
// Flow for a face (CLI or page):
//   1. `MediaCandidates` for where the device is (this machine or an SSH target): show every device, the refused
//      ones greyed with their `refusals`, the ones with `overrides` only after the user ticks that override.
//   2. `ImageReport` for the image file (on this machine): refuse when `problems` is not empty; show `boot` and
//      `checksum`; `fitsDevice` is decided per device (`imageFits`).
//   3. The user types the device's `confirmName` exactly; then `WriteRequest` runs, streaming `WriteEvent`s
//      (progress for write, then verify, then power-off) and ending in one `WriteResult`.
// A write that did not finish its read-back never claims success: its result is `not-verified` (cut, cancelled or
// failed after bytes reached the device), and the device should be considered to hold garbage.

/** Where the device is: this machine (through a privileged helper: sudo/pkexec) or an SSH target (over its session). */
export type MediaWhere = { kind: 'local' } | { kind: 'ssh'; target: string };

/** Why a device is never offered (no override exists). */
export type RefusalKind =
  | 'live-system' // holds `/` or another mount of the running system (directly or through LVM/LUKS/md)
  | 'mounted' // a filesystem on it (or on a device built on it) is mounted: unmount it first
  | 'swap' // used as swap
  | 'holder' // an LVM volume, open LUKS mapping, md array or other device-mapper device is built on it
  | 'read-only' // the kernel says it is read-only (write-protect switch)
  | 'not-a-disk' // a partition, loop device, CD drive, etc.: only whole disks are written
  | 'empty'; // no medium (card reader without a card): size 0

/** A refusal and the whole chain a person can read, e.g. "/dev/sdb1 holds dm-0 (crypt), mounted at /home". */
export interface Refusal {
  kind: RefusalKind;
  text: string;
  /** A filesystem mounted straight from the disk or one of its partitions (not through LVM/LUKS/md), not part of the
   * running system: nixkit may unmount it when asked (`WriteRequest.unmount`, the CLI's --unmount). */
  unmountable?: boolean;
}

/** What an explicit override allows (the CLI's --allow-large / --allow-non-removable, a checkbox on the page). */
export type OverrideKind =
  | 'large' // larger than LARGE_DEVICE_BYTES: more likely a data disk than a stick
  | 'non-removable'; // neither the removable flag nor a usb/mmc transport

/** Above this a device needs the `large` override: 256 GiB. */
export const LARGE_DEVICE_BYTES = 256 * 1024 ** 3;

/**
 * A whole disk where the image could go. Every text field comes from the device (labels, model, serial) and may be
 * hostile: faces show them through `displayText` (escaped, never interpreted), never raw in a terminal or as HTML.
 */
export interface WriteCandidate {
  /** Kernel name, e.g. `sdb`. */
  name: string;
  /** `/dev/sdb`. */
  path: string;
  /** Stable names for the same disk (`/dev/disk/by-id/usb-SanDisk_…`), preferred first. Any may be given as ID. */
  byId: string[];
  sizeBytes: number;
  model: string | null;
  vendor: string | null;
  serial: string | null;
  /** usb, mmc, sata, nvme, … as lsblk reports it. */
  transport: string | null;
  /** The removable flag (RM) or a usb/mmc transport. */
  removable: boolean;
  /** Filesystem labels on it (whole disk and partitions), for recognising the stick; raw, possibly hostile. */
  labels: string[];
  /** Why it can never be written; empty when it can (possibly after overrides). */
  refusals: Refusal[];
  /** Overrides needed before it may be written; empty when none. */
  overrides: OverrideKind[];
  /** What the user must type to confirm: the kernel name (`sdb`), as the install's typed confirmation. */
  confirmName: string;
}

export interface MediaCandidates {
  where: MediaWhere;
  /** Every whole disk seen (refused ones too, so the user sees why the stick they expected is missing). */
  devices: WriteCandidate[];
  /** Problems reading the devices (lsblk missing, unparsable output); empty when all went well. */
  warnings: string[];
}

/** How the image boots, from its first sectors. */
export type ImageBootKind =
  | 'hybrid-iso' // ISO 9660 with an MBR boot signature and/or GPT: boots from a USB stick
  | 'cd-only-iso' // ISO 9660 (maybe El Torito) without MBR/GPT: boots from a CD only; `bootText` explains
  | 'disk-image' // MBR or GPT disk image (e.g. an .img): boots as written
  | 'unknown'; // none of the above: written as-is, nothing promised

export interface ImageReport {
  path: string;
  sizeBytes: number;
  /** Why it cannot be written (unreadable, empty, a directory, …); empty when it can. */
  problems: string[];
  boot: ImageBootKind;
  /** What was found: "ISO 9660, El Torito, MBR boot signature, GPT header" */
  layout: {
    iso9660: boolean;
    elTorito: boolean;
    mbrSignature: boolean;
    gpt: boolean;
    volumeId: string | null;
  };
  /** One sentence for people, e.g. why a CD-only ISO will not boot from USB and what to do. */
  bootText: string;
  checksum: ChecksumResult;
  /** The image's SHA-256 when it was computed (for the checksum); else the write computes it while streaming. */
  sha256: string | null;
}

export type ChecksumResult =
  | { status: 'none'; text: string } // no file given and none beside the image
  | { status: 'match'; file: string; sha256: string }
  | { status: 'mismatch'; file: string; expected: string; actual: string }
  | { status: 'unusable'; file: string; text: string }; // unreadable, no line for this image, malformed

export interface WriteRequest {
  where: MediaWhere;
  /** The image on this machine (it is streamed to the device, also to an SSH target). */
  image: string;
  /** `path`, a by-id name or the kernel name of a `WriteCandidate`; re-identified just before writing. */
  device: string;
  overrides: OverrideKind[];
  /** What the user typed; must equal the candidate's `confirmName`. */
  typedConfirmation: string;
  /** Unmount the device's `unmountable` mounts (a desktop's automount of the stick) just before writing. */
  unmount?: boolean;
}

export type WritePhase = 'write' | 'verify' | 'power-off';

export interface WriteProgress {
  phase: WritePhase;
  /** Bytes done in this phase. */
  bytes: number;
  /** The image size (the read-back reads exactly this many bytes). */
  total: number;
  /** Bytes per second over this phase so far; null before there is a rate. */
  rate: number | null;
  /** Estimated seconds left in this phase; null when unknown. */
  secondsLeft: number | null;
}

export type WriteEvent =
  | { kind: 'progress'; progress: WriteProgress }
  | { kind: 'phase'; phase: WritePhase; text: string }
  | { kind: 'command'; where: 'local' | 'target'; argv: string[]; purpose: string }
  | { kind: 'note'; text: string };

/** How the device was powered off, or why not. */
export type PowerOff =
  | { method: 'udisksctl' | 'eject'; ok: true }
  | { method: 'udisksctl' | 'eject'; ok: false; text: string }
  | { method: 'none'; ok: false; text: string };

export type WriteResult =
  | {
      status: 'verified';
      device: string;
      bytes: number;
      sha256: string;
      writeSeconds: number;
      verifySeconds: number;
      powerOff: PowerOff;
      /** "Safe to pull the stick" or why not yet (power-off failed: sync done, unplug after the light stops). */
      text: string;
    }
  | {
      /** The write or read-back did not finish (cut SSH, cancel, I/O error): the device holds an unknown mix. */
      status: 'not-verified';
      device: string;
      phase: WritePhase;
      bytesWritten: number;
      reason: string;
    }
  | {
      /** The read-back differs from the image: the stick is faulty or fake (smaller than it claims). */
      status: 'mismatch';
      device: string;
      bytes: number;
      expected: string;
      actual: string;
    }
  | {
      /** Refused before anything was written (typed name wrong, device changed, image problems). */
      status: 'refused';
      device: string;
      reason: string;
    };

// C0, DEL and C1 (U+009B is CSI): what could drive a terminal.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * Escapes a device-provided string for display: control characters (C0, DEL, C1) as \xNN, everything else kept.
 * Quotes, `$()` and backticks stay as they are (they are text; nothing here is ever given to a shell).
 */
export function displayText(value: string | null | undefined): string {
  return (value ?? '?').replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
