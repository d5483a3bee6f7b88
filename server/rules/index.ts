// Every rule nixkit has. Codes are stable: the CLI's JSON output and users' suppressions rely on them.
import { bootloaderMissing } from './bootloader-missing';
import { bootloaderConflict } from './bootloader-conflict';
import { espMissing } from './esp-missing';
import { espMountMismatch } from './esp-mount-mismatch';
import { grubDeviceMissing } from './grub-device-missing';
import { luksNotInInitrd } from './luks-not-in-initrd';
import { rootFilesystemMissing } from './root-filesystem-missing';
import { unstableDevicePath } from './unstable-device-path';
import type { Rule } from '../rule-api/rule';
import { hostPlatformCorrupted } from './host-platform-corrupted';
import { hostPlatformUnknown } from './host-platform-unknown';
import { hostPlatformConflict } from './host-platform-conflict';
import { lockoutRisk } from './lockout-risk';
import { passwordHashInvalid } from './password-hash-invalid';
import { stateVersionMissing } from './state-version-missing';
import { stateVersionInvalid } from './state-version-invalid';
import { removedOption } from './removed-option';
import { moduleNotFound } from './module-not-found';
import { hardwareConfigNotImported } from './hardware-config-not-imported';
import { hostnameInvalid } from './hostname-invalid';
import { bootloaderFirmwareMismatch } from './bootloader-firmware-mismatch';
import { deviceNotOnTarget } from './device-not-on-target';
import { fsTypeMismatch } from './fs-type-mismatch';
import { initrdModuleMissing } from './initrd-module-missing';
import { interfaceNotOnTarget } from './interface-not-on-target';
import { networkUnreachableAfterInstall } from './network-unreachable-after-install';
import { proxyCredentialsInStore } from './proxy-credentials-in-store';
import { vboxsfWithoutNofail } from './vboxsf-without-nofail';
import { vmGuestSupportMissing } from './vm-guest-support-missing';
import { configurationNotFollowed } from './configuration-not-followed';
import { lookupPathInFlake } from './lookup-path-in-flake';

export const RULES: Rule[] = [
  espMountMismatch,
  espMissing,
  bootloaderMissing,
  bootloaderConflict,
  grubDeviceMissing,
  rootFilesystemMissing,
  unstableDevicePath,
  luksNotInInitrd,
  hostPlatformCorrupted,
  hostPlatformUnknown,
  hostPlatformConflict,
  lockoutRisk,
  passwordHashInvalid,
  stateVersionMissing,
  stateVersionInvalid,
  removedOption,
  moduleNotFound,
  lookupPathInFlake,
  hardwareConfigNotImported,
  hostnameInvalid,
  bootloaderFirmwareMismatch,
  deviceNotOnTarget,
  fsTypeMismatch,
  initrdModuleMissing,
  interfaceNotOnTarget,
  networkUnreachableAfterInstall,
  proxyCredentialsInStore,
  vboxsfWithoutNofail,
  vmGuestSupportMissing,
  configurationNotFollowed,
];

export function ruleByCode(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code);
}
