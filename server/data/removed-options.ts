// NixOS options that install configurations commonly carry and that NixOS renamed or removed. Data, not code:
// the removed-option rule reads it. `*` stands for any name (an interface, a user).
//
// Each entry names the nixpkgs file whose module declares the change (`mkRenamedOptionModule`,
// `mkRemovedOptionModule`, `mkMergedOptionModule`, or a still-declared option that only warns) and the NixOS
// release that first shipped it. Checked against nixpkgs' sources (the module's `imports`, and evaluation output
// quoted in public configurations) when the entry was written; test/unit/rules/removed-options-data.test.ts keeps
// the data consistent.
//
// Checked on 2026-12-07 against the text of nixpkgs modules (the mkRenamedOptionModule / mkRemovedOptionModule
// lines, or evaluation output quoted in public configurations): grub.version (grub.nix: still declared, a warning
// under `options.boot.loader.grub.version.isDefined`), sound.enable and sound.mediaKeys (alsa.nix, removed),
// hardware.video.hidpi.enable (fontconfig.nix, removed), pinentryFlavor (gnupg.nix, removed),
// networking.wireless.environmentFile (removed: "no longer has any effect … secretsFile"), services.openssh.*
// (sshd.nix, renamed into settings), boot.cleanTmpDir / tmpOnTmpfs (tmp.nix), fonts.fonts / enableDefaultFonts
// (packages.nix), i18n.consoleFont / consoleKeyMap (console.nix), hardware.pulseaudio (pulseaudio.nix). The
// others (nix.* → nix.settings, hardware.opengl → hardware.graphics, xkb, display managers, libinput, gdm/gnome,
// passwordFile, interface addresses) follow the NixOS release notes of the release named.
//
// - renamed: the old name still evaluates, with a warning (mkRenamedOptionModule / mkMergedOptionModule);
// - removed: evaluation fails with "The option definition … no longer has any effect" (mkRemovedOptionModule);
// - deprecated: the option is still declared but does nothing, and setting it warns.

export interface RemovedOption {
  from: string;
  /** What replaces it (same `*`s); absent when nothing does. */
  to?: string;
  /** The entry covers every option below `from` too, renamed below `to` the same way. */
  prefix?: boolean;
  /** The first NixOS release whose modules have the change (and, with `to`, the replacement). */
  release: string;
  kind: 'renamed' | 'removed' | 'deprecated';
  /** The nixpkgs file (at `release`) whose module declares the rename, removal or deprecation warning. */
  file: string;
  /** The replacement takes a differently shaped value: nixkit says so and offers no rewrite. */
  shapeChanged?: boolean;
  /** What to do, in one sentence, when a rename alone is not the whole story. */
  advice?: string;
}

const INTERFACES = 'nixos/modules/tasks/network-interfaces.nix';

/** `mkRenamedOptionModuleWith { sinceRelease = 2205; … }` when nix.conf settings became `nix.settings`. */
const nixSetting = (from: string, to: string): RemovedOption => ({
  from: `nix.${from}`,
  to: `nix.settings.${to}`,
  release: '22.05',
  kind: 'renamed',
  file: 'nixos/modules/services/misc/nix-daemon.nix',
});

const graphics = (from: string, to = from): RemovedOption => ({
  from: `hardware.opengl.${from}`,
  to: `hardware.graphics.${to}`,
  release: '24.11',
  kind: 'renamed',
  file: 'nixos/modules/hardware/graphics.nix',
});

const sshSetting = (from: string, to: string, release = '23.05'): RemovedOption => ({
  from: `services.openssh.${from}`,
  to: `services.openssh.settings.${to}`,
  release,
  kind: 'renamed',
  file: 'nixos/modules/services/networking/ssh/sshd.nix',
});

const xkb = (from: string, to: string): RemovedOption => ({
  from: `services.xserver.${from}`,
  to: `services.xserver.xkb.${to}`,
  release: '23.11',
  kind: 'renamed',
  file: 'nixos/modules/services/x11/xserver.nix',
});

export const REMOVED_OPTIONS: RemovedOption[] = [
  // networking
  {
    from: 'networking.interfaces.*.ip4',
    to: 'networking.interfaces.*.ipv4.addresses',
    release: '17.09',
    kind: 'renamed',
    file: INTERFACES,
  },
  {
    from: 'networking.interfaces.*.ip6',
    to: 'networking.interfaces.*.ipv6.addresses',
    release: '17.09',
    kind: 'renamed',
    file: INTERFACES,
  },
  ...(['ipAddress', 'prefixLength'] as const).map(
    (o): RemovedOption => ({
      from: `networking.interfaces.*.${o}`,
      to: 'networking.interfaces.*.ipv4.addresses',
      release: '17.09',
      kind: 'renamed',
      file: INTERFACES,
      shapeChanged: true,
      advice: 'write the address as a list entry: ipv4.addresses = [ { address = "…"; prefixLength = 24; } ]',
    }),
  ),
  ...(['ipv6Address', 'ipv6PrefixLength'] as const).map(
    (o): RemovedOption => ({
      from: `networking.interfaces.*.${o}`,
      to: 'networking.interfaces.*.ipv6.addresses',
      release: '17.09',
      kind: 'renamed',
      file: INTERFACES,
      shapeChanged: true,
      advice: 'write the address as a list entry: ipv6.addresses = [ { address = "…"; prefixLength = 64; } ]',
    }),
  ),
  {
    from: 'networking.wireless.environmentFile',
    to: 'networking.wireless.secretsFile',
    release: '24.11',
    kind: 'removed',
    file: 'nixos/modules/services/networking/wpa_supplicant.nix',
    shapeChanged: true,
    advice:
      'secrets now come from networking.wireless.secretsFile (NAME=value lines) and are referenced as pskRaw = "ext:NAME"',
  },

  // nix: the settings attribute set replaced the individual options
  nixSetting('maxJobs', 'max-jobs'),
  nixSetting('buildCores', 'cores'),
  nixSetting('useSandbox', 'sandbox'),
  nixSetting('sandboxPaths', 'extra-sandbox-paths'),
  nixSetting('binaryCaches', 'substituters'),
  nixSetting('trustedBinaryCaches', 'trusted-substituters'),
  nixSetting('binaryCachePublicKeys', 'trusted-public-keys'),
  nixSetting('requireSignedBinaryCaches', 'require-sigs'),
  nixSetting('trustedUsers', 'trusted-users'),
  nixSetting('allowedUsers', 'allowed-users'),
  nixSetting('autoOptimiseStore', 'auto-optimise-store'),

  // graphics
  graphics('enable'),
  graphics('driSupport32Bit', 'enable32Bit'),
  graphics('extraPackages'),
  graphics('extraPackages32'),
  graphics('package'),
  graphics('package32'),
  {
    from: 'hardware.opengl.driSupport',
    release: '24.11',
    kind: 'removed',
    file: 'nixos/modules/hardware/graphics.nix',
    advice: 'DRI is always on with hardware.graphics.enable: delete the line',
  },
  {
    from: 'hardware.video.hidpi.enable',
    release: '23.05',
    kind: 'removed',
    file: 'nixos/modules/config/fonts/fontconfig.nix',
    advice: 'delete the line; set fonts, console font and scaling options yourself if you need them',
  },

  // sound
  {
    from: 'sound.enable',
    release: '24.11',
    kind: 'removed',
    file: 'nixos/modules/services/audio/alsa.nix',
    advice:
      'delete the line: PipeWire or PulseAudio work without it; hardware.alsa configures ALSA itself if you need that',
  },
  {
    from: 'sound.mediaKeys',
    prefix: true,
    release: '24.11',
    kind: 'removed',
    file: 'nixos/modules/services/audio/alsa.nix',
    advice: 'configure media keys in your desktop, or with services.actkbd',
  },
  {
    from: 'hardware.pulseaudio',
    to: 'services.pulseaudio',
    prefix: true,
    release: '25.05',
    kind: 'renamed',
    file: 'nixos/modules/services/audio/pulseaudio.nix',
  },

  // X11, display managers, desktops
  xkb('layout', 'layout'),
  xkb('xkbVariant', 'variant'),
  xkb('xkbOptions', 'options'),
  xkb('xkbModel', 'model'),
  {
    from: 'services.xserver.displayManager.sddm',
    to: 'services.displayManager.sddm',
    prefix: true,
    release: '24.05',
    kind: 'renamed',
    file: 'nixos/modules/services/display-managers/sddm.nix',
  },
  {
    from: 'services.xserver.displayManager.autoLogin',
    to: 'services.displayManager.autoLogin',
    prefix: true,
    release: '24.05',
    kind: 'renamed',
    file: 'nixos/modules/services/display-managers/default.nix',
  },
  {
    from: 'services.xserver.displayManager.defaultSession',
    to: 'services.displayManager.defaultSession',
    release: '24.05',
    kind: 'renamed',
    file: 'nixos/modules/services/display-managers/default.nix',
  },
  {
    from: 'services.xserver.libinput',
    to: 'services.libinput',
    prefix: true,
    release: '24.05',
    kind: 'renamed',
    file: 'nixos/modules/services/hardware/libinput.nix',
  },
  {
    from: 'services.xserver.displayManager.gdm',
    to: 'services.displayManager.gdm',
    prefix: true,
    release: '25.11',
    kind: 'renamed',
    file: 'nixos/modules/services/display-managers/gdm.nix',
  },
  {
    from: 'services.xserver.desktopManager.gnome',
    to: 'services.desktopManager.gnome',
    prefix: true,
    release: '25.11',
    kind: 'renamed',
    file: 'nixos/modules/services/desktop-managers/gnome.nix',
  },
  {
    from: 'fonts.fonts',
    to: 'fonts.packages',
    release: '23.11',
    kind: 'renamed',
    file: 'nixos/modules/config/fonts/packages.nix',
  },
  {
    from: 'fonts.enableDefaultFonts',
    to: 'fonts.enableDefaultPackages',
    release: '23.11',
    kind: 'renamed',
    file: 'nixos/modules/config/fonts/packages.nix',
  },
  {
    from: 'programs.gnupg.agent.pinentryFlavor',
    to: 'programs.gnupg.agent.pinentryPackage',
    release: '24.05',
    kind: 'removed',
    file: 'nixos/modules/programs/gnupg.nix',
    shapeChanged: true,
    advice: 'give the package instead of its flavour, e.g. pinentryPackage = pkgs.pinentry-gnome3',
  },

  // OpenSSH: options became sshd_config settings
  sshSetting('permitRootLogin', 'PermitRootLogin'),
  sshSetting('passwordAuthentication', 'PasswordAuthentication'),
  sshSetting('kbdInteractiveAuthentication', 'KbdInteractiveAuthentication'),
  sshSetting('challengeResponseAuthentication', 'KbdInteractiveAuthentication'),
  sshSetting('forwardX11', 'X11Forwarding'),

  // boot, console, users
  {
    // Still declared (invisible); `mkIf options.boot.loader.grub.version.isDefined` adds a warning, nothing fails.
    from: 'boot.loader.grub.version',
    release: '23.05',
    kind: 'deprecated',
    file: 'nixos/modules/system/boot/loader/grub/grub.nix',
    advice: 'delete the line: NixOS only has GRUB 2',
  },
  {
    from: 'boot.cleanTmpDir',
    to: 'boot.tmp.cleanOnBoot',
    release: '23.05',
    kind: 'renamed',
    file: 'nixos/modules/system/boot/tmp.nix',
  },
  {
    from: 'boot.tmpOnTmpfs',
    to: 'boot.tmp.useTmpfs',
    release: '23.05',
    kind: 'renamed',
    file: 'nixos/modules/system/boot/tmp.nix',
  },
  {
    from: 'i18n.consoleFont',
    to: 'console.font',
    release: '20.03',
    kind: 'renamed',
    file: 'nixos/modules/config/console.nix',
  },
  {
    from: 'i18n.consoleKeyMap',
    to: 'console.keyMap',
    release: '20.03',
    kind: 'renamed',
    file: 'nixos/modules/config/console.nix',
  },
  {
    from: 'users.users.*.passwordFile',
    to: 'users.users.*.hashedPasswordFile',
    release: '23.11',
    kind: 'renamed',
    file: 'nixos/modules/config/users-groups.nix',
  },
];
