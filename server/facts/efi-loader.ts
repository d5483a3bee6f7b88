// Facts about a configuration that several rules need, derived the same way everywhere.
import type { NixosConfiguration } from '../model/configuration';
import type { Definition } from '../model/modules';

export interface EnabledLoader {
  name: 'systemd-boot' | 'GRUB';
  /** The definition that enables it (for pointing at it and placing fixes beside it). */
  def: Definition;
}

/** The bootloader that installs to the ESP, when one certainly is enabled. */
export function efiBootloader(config: NixosConfiguration): EnabledLoader | undefined {
  const sdBoot = config.value('boot.loader.systemd-boot.enable');
  if (sdBoot.state === 'known' && sdBoot.value.t === 'bool' && sdBoot.value.v)
    return { name: 'systemd-boot', def: sdBoot.def };
  const grubEfi = config.value('boot.loader.grub.efiSupport');
  const grubOn = config.bool('boot.loader.grub.enable');
  if (
    grubEfi.state === 'known' &&
    grubEfi.value.t === 'bool' &&
    grubEfi.value.v &&
    grubOn !== false &&
    grubOn !== undefined
  )
    return { name: 'GRUB', def: grubEfi.def };
  return undefined;
}
