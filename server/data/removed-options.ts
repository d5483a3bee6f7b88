// NixOS options that install configurations commonly carry and that NixOS renamed or removed. Data, not code:
// the removed-option rule reads it. `*` stands for any name (an interface, a user). Releases are the NixOS
// release whose modules renamed (the old name still evaluates, with a warning) or removed (evaluation fails) the
// option; the rule only reports an entry when the configuration's nixpkgs is at least that release.

export interface RemovedOption {
  from: string;
  /** What replaces it (same `*`s); absent when nothing does. */
  to?: string;
  /** The entry covers every option below `from` too, renamed below `to` the same way. */
  prefix?: boolean;
  release: string;
  kind: 'renamed' | 'removed';
  /** The replacement takes a differently shaped value: nixkit says so and offers no rewrite. */
  shapeChanged?: boolean;
  /** What to do, in one sentence, when a rename alone is not the whole story. */
  advice?: string;
}

const nixSetting = (from: string, to: string): RemovedOption => ({
  from: `nix.${from}`,
  to: `nix.settings.${to}`,
  release: '22.05',
  kind: 'renamed',
});

const graphics = (from: string, to = from): RemovedOption => ({
  from: `hardware.opengl.${from}`,
  to: `hardware.graphics.${to}`,
  release: '24.11',
  kind: 'renamed',
});

const sshSetting = (from: string, to: string, release = '23.05'): RemovedOption => ({
  from: `services.openssh.${from}`,
  to: `services.openssh.settings.${to}`,
  release,
  kind: 'renamed',
});

const xkb = (from: string, to: string): RemovedOption => ({
  from: `services.xserver.${from}`,
  to: `services.xserver.xkb.${to}`,
  release: '23.11',
  kind: 'renamed',
});

export const REMOVED_OPTIONS: RemovedOption[] = [
  // networking
  {
    from: 'networking.interfaces.*.ip4',
    to: 'networking.interfaces.*.ipv4.addresses',
    release: '17.09',
    kind: 'renamed',
  },
  {
    from: 'networking.interfaces.*.ip6',
    to: 'networking.interfaces.*.ipv6.addresses',
    release: '17.09',
    kind: 'renamed',
  },
  ...(['ipAddress', 'prefixLength'] as const).map(
    (o): RemovedOption => ({
      from: `networking.interfaces.*.${o}`,
      to: 'networking.interfaces.*.ipv4.addresses',
      release: '17.09',
      kind: 'renamed',
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
      shapeChanged: true,
      advice: 'write the address as a list entry: ipv6.addresses = [ { address = "…"; prefixLength = 64; } ]',
    }),
  ),
  {
    from: 'networking.wireless.environmentFile',
    to: 'networking.wireless.secretsFile',
    release: '24.11',
    kind: 'removed',
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
    advice: 'DRI is always on with hardware.graphics.enable: delete the line',
  },
  {
    from: 'hardware.video.hidpi.enable',
    release: '23.05',
    kind: 'removed',
    advice: 'delete the line; set fonts, console font and scaling options yourself if you need them',
  },

  // sound
  {
    from: 'sound.enable',
    release: '24.11',
    kind: 'removed',
    advice:
      'delete the line: PipeWire or PulseAudio work without it; hardware.alsa configures ALSA itself if you need that',
  },
  {
    from: 'sound.mediaKeys',
    prefix: true,
    release: '24.11',
    kind: 'removed',
    advice: 'configure media keys in your desktop, or with services.actkbd',
  },
  { from: 'hardware.pulseaudio', to: 'services.pulseaudio', prefix: true, release: '25.05', kind: 'renamed' },

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
  },
  {
    from: 'services.xserver.displayManager.autoLogin',
    to: 'services.displayManager.autoLogin',
    prefix: true,
    release: '24.05',
    kind: 'renamed',
  },
  {
    from: 'services.xserver.displayManager.defaultSession',
    to: 'services.displayManager.defaultSession',
    release: '24.05',
    kind: 'renamed',
  },
  {
    from: 'services.xserver.libinput',
    to: 'services.libinput',
    prefix: true,
    release: '24.05',
    kind: 'renamed',
  },
  {
    from: 'services.xserver.displayManager.gdm',
    to: 'services.displayManager.gdm',
    prefix: true,
    release: '25.11',
    kind: 'renamed',
  },
  {
    from: 'services.xserver.desktopManager.gnome',
    to: 'services.desktopManager.gnome',
    prefix: true,
    release: '25.11',
    kind: 'renamed',
  },
  { from: 'fonts.fonts', to: 'fonts.packages', release: '23.11', kind: 'renamed' },
  { from: 'fonts.enableDefaultFonts', to: 'fonts.enableDefaultPackages', release: '23.11', kind: 'renamed' },
  {
    from: 'programs.gnupg.agent.pinentryFlavor',
    to: 'programs.gnupg.agent.pinentryPackage',
    release: '24.05',
    kind: 'removed',
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
    from: 'boot.loader.grub.version',
    release: '23.05',
    kind: 'removed',
    advice: 'delete the line: NixOS only has GRUB 2',
  },
  { from: 'boot.cleanTmpDir', to: 'boot.tmp.cleanOnBoot', release: '23.05', kind: 'renamed' },
  { from: 'boot.tmpOnTmpfs', to: 'boot.tmp.useTmpfs', release: '23.05', kind: 'renamed' },
  { from: 'i18n.consoleFont', to: 'console.font', release: '20.03', kind: 'renamed' },
  { from: 'i18n.consoleKeyMap', to: 'console.keyMap', release: '20.03', kind: 'renamed' },
  {
    from: 'users.users.*.passwordFile',
    to: 'users.users.*.hashedPasswordFile',
    release: '23.11',
    kind: 'renamed',
  },
];
