// What the configuration says about the installed system that the rescue needs: its filesystems (by label, UUID,
// by-id, …), the LUKS devices the initrd opens, the interfaces it configures, where the ESP is mounted. Read with
// the same static analysis as `nixkit check` and the install's preflight; a value nixkit cannot know is left out
// (unknown never reports), and the rescue then falls back to the probe's candidates.
import { checkPaths } from '../../server/analysis/check-files';
import { configurationFacts } from '../../server/facts/configuration-facts';

export interface RescueFileSystem {
  mountPoint: string;
  device: string;
  fsType?: string;
  /** btrfs `subvol=` from the options, when statically known. */
  subvol?: string;
}

export interface RescueConfiguration {
  /** `flake#name`, for messages. */
  source: string;
  /** The filesystems under which the system lives: `/`, and `/nix`, `/boot`, `/var` … when separate. */
  fileSystems: RescueFileSystem[];
  /** boot.initrd.luks.devices: mapper name → the encrypted device. */
  luks: { name: string; device: string }[];
  /** The interfaces the configuration names (networking.interfaces, the default gateways' interface). */
  interfaces: string[];
  espMountPoint: string;
  bootloader: 'systemd-boot' | 'grub' | 'unknown';
}

/** Mount points that matter for reading the logs, the generations and the boot loader, and for entering the root. */
const WANTED = /^\/(nix(\/store)?|boot(\/efi)?|efi|var(\/log)?)?$/;

export async function rescueConfiguration(
  flake: string,
  name: string,
): Promise<{ config?: RescueConfiguration; configurations: string[] }> {
  let config: RescueConfiguration | undefined;
  let configurations: string[] = [];
  await checkPaths([flake], {
    inspect(analysis) {
      const { project } = analysis;
      configurations = [...new Set(project.configurations.map((c) => c.name))].sort();
      const unit = project.analysisUnits.find((u) => u.configurations.some((c) => c.name === name));
      const c = unit?.configurations.find((x) => x.name === name);
      if (!unit || !c) return;
      const f = configurationFacts(c, (t) => unit.evaluator.force(t));
      const fileSystems: RescueFileSystem[] = [];
      for (const m of f.mountedFileSystems) {
        if (m.conditional || !WANTED.test(m.mountPoint) || !m.device.value || m.device.unknown) continue;
        const opts = c.value(['fileSystems', m.mountPoint, 'options']);
        let subvol: string | undefined;
        if (opts.state === 'known' && opts.value.t === 'list')
          for (const item of opts.value.items) {
            const v = unit.evaluator.force(item);
            if (v.t === 'str' && v.v.startsWith('subvol=')) subvol = v.v.slice(7);
          }
        fileSystems.push({
          mountPoint: m.mountPoint,
          device: m.device.value,
          ...(m.fsType.value && !m.fsType.unknown ? { fsType: m.fsType.value } : {}),
          ...(subvol ? { subvol } : {}),
        });
      }
      const luks: { name: string; device: string }[] = [];
      for (const n of c.children('boot.initrd.luks.devices').names) {
        const d = c.string(['boot', 'initrd', 'luks', 'devices', n, 'device']);
        if (d && d !== 'unset') luks.push({ name: n, device: d.value });
      }
      const interfaces = new Set(c.children('networking.interfaces').names);
      for (const gw of ['networking.defaultGateway.interface', 'networking.defaultGateway6.interface']) {
        const v = c.string(gw);
        if (v && v !== 'unset') interfaces.add(v.value);
      }
      const kind: string = f.bootloader.kind;
      config = {
        source: `${flake}#${name}`,
        fileSystems: fileSystems.sort((a, b2) => a.mountPoint.length - b2.mountPoint.length),
        luks,
        interfaces: [...interfaces].filter((x) => /^[A-Za-z0-9_.@-]{1,15}$/.test(x)).sort(),
        espMountPoint: f.espMountPoint,
        bootloader: kind === 'systemd-boot' ? 'systemd-boot' : kind === 'grub' ? 'grub' : 'unknown',
      };
    },
  });
  return { ...(config ? { config } : {}), configurations };
}
