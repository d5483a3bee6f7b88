// The plan as the review shows it: exact commands for a layout, destructive ones marked, hostile disk ids and
// labels quoted in every command (round-tripped through a real shell), the disko file, the layout checks.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkPaths } from '../../../server/analysis/check-files';
import { generateDisko } from '../../../engine/install/disko';
import { layoutProblems, partitionPath, plannedMounts, sfdiskScript } from '../../../engine/install/layout';
import type { DiskLayout, InstallOptions, PlannedCommand } from '../../../protocol/install-state';
import { describePlan } from '../../../engine/install/runner';
import { newInstallState } from '../../../engine/install/state-store';
import { installSteps } from '../../../engine/install/steps';
import { shJoin } from '../../../engine/ssh/quote';

const DISK = '/dev/disk/by-id/nvme-Samsung_SSD_980_S1';

function options(o: Partial<InstallOptions> = {}): InstallOptions {
  return {
    flake: '/work/flake',
    configuration: 'demo',
    target: 'root@10.0.0.2',
    disk: DISK,
    confirmedDisk: DISK,
    layout: { espSizeMiB: 512, rootFs: 'ext4', swapSizeMiB: 2048 },
    buildOn: 'local',
    root: '/mnt',
    reboot: false,
    ...o,
  };
}

function planOf(o: InstallOptions) {
  const steps = installSteps();
  const state = newInstallState(
    o,
    steps.map((s) => s.id),
  );
  state.config = {
    efiSysMountPoint: '/boot',
    hardwareConfigFile: '/work/flake/hosts/demo/hardware-configuration.nix',
    hardwareConfigImported: true,
    initrdSystemd: false,
  };
  return describePlan(steps, state);
}

const argvs = (cmds: PlannedCommand[]) => cmds.map((c) => [c.destructive ? '!' : ' ', ...c.argv].join(' '));

describe('the plan', () => {
  it('lustrate: in place on the running root — nothing partitioned or unmounted, the root marked for lustration', () => {
    const plan = planOf(
      options({
        disk: undefined,
        confirmedDisk: undefined,
        layout: undefined,
        root: '/',
        strategy: 'lustrate',
      }),
    );
    const step = (id: string) => plan.find((d) => d.id === id)!;
    assert.equal(step('partition').skipped, 'use what is mounted at /');
    const install = step('install');
    assert.deepEqual(
      install.commands.map((c) => c.argv.slice(0, 2).concat(c.argv.slice(3))),
      [
        ['sh', '-c', 'nixkit-profile', '/', '<toplevel>'],
        ['sh', '-c', 'nixkit-lustrate', '/nix/var/nix/profiles/system'],
      ],
    );
    assert.match(install.commands[1].argv[2], /touch \/etc\/NIXOS \/etc\/NIXOS_LUSTRATE/);
    assert.match(
      install.commands[1].argv[2],
      /NIXOS_INSTALL_BOOTLOADER=1 "\$sys\/bin\/switch-to-configuration" boot/,
    );
    assert.match(install.warnings!.join(' '), /\/old-root/);
    // `umount -R /` would take the running system down: finish never plans it for the running root.
    assert.ok(
      !step('finish').commands.some((c) => c.argv.includes('nixkit-unmount')),
      JSON.stringify(step('finish').commands),
    );
    // Everywhere else the install root is unmounted at the end.
    assert.ok(
      planOf(options())
        .find((d) => d.id === 'finish')!
        .commands.some((c) => c.argv.includes('nixkit-unmount')),
    );
  });

  it('kexec: the upload, load and start in preflight, with the warning, before the probe on the installer', () => {
    const image = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-kexec-plan-'));
    try {
      for (const f of ['bzImage', 'initrd']) fs.writeFileSync(path.join(image, f), f);
      fs.writeFileSync(path.join(image, 'cmdline'), 'init=/nix/store/x-nixos/init console=ttyS0\n');
      const o = options({ strategy: 'kexec', kexecImage: image });
      const steps = installSteps();
      const state = newInstallState(
        o,
        steps.map((s) => s.id),
      );
      const pre = describePlan(steps, state).find((d) => d.id === 'preflight')!;
      assert.match(pre.warnings!.join(' '), /replaced in memory by the installer image/);
      assert.match(pre.warnings!.join(' '), /host key/);
      // The probe script is thousands of characters: its first ones name it.
      const cmds = argvs(pre.commands).map((c) => (c.length > 400 ? c.slice(0, 120) : c));
      const k = cmds.findIndex((c) => c.includes('kexec --load'));
      assert.deepEqual(cmds.slice(k - 3, k + 3), [
        '  cat /proc/sys/kernel/random/boot_id /proc/cmdline',
        `  sh -c ${pre.commands[k - 2].argv[2]} nixkit-upload /root/nixkit-kexec /root/nixkit-kexec/kernel`,
        `  sh -c ${pre.commands[k - 1].argv[2]} nixkit-upload /root/nixkit-kexec /root/nixkit-kexec/initrd`,
        `  kexec --load /root/nixkit-kexec/kernel --initrd=/root/nixkit-kexec/initrd --append=init=/nix/store/x-nixos/init console=ttyS0 nixkit.kexec=${state.id}`,
        '! sh -c (sleep 1; sync; kexec -e) >/dev/null 2>&1 </dev/null &',
        '  cat /proc/sys/kernel/random/boot_id /proc/cmdline',
      ]);
      assert.match(pre.commands[k - 2].purpose, new RegExp(`${path.join(image, 'bzImage')}, on stdin`));
      // The probe and the tools run again on the installer, then the disk is resolved there.
      assert.ok(cmds.slice(k).some((c) => c.includes('nixkit-tools')));
      assert.equal(cmds.at(-1), `  readlink -e -- ${DISK}`);

      // An unreadable image is a warning in the review (the run refuses it), not a crash of the plan.
      const bad = newInstallState(
        options({ strategy: 'kexec', kexecImage: path.join(image, 'missing') }),
        steps.map((s) => s.id),
      );
      const badPre = describePlan(steps, bad).find((d) => d.id === 'preflight')!;
      assert.match(badPre.warnings!.join(' '), /kexec: The kexec image .*missing does not exist/);
    } finally {
      fs.rmSync(image, { recursive: true, force: true });
    }
  });

  it('partition: the exact commands for ext4 with swap, destructive ones marked', () => {
    const p = planOf(options()).find((d) => d.id === 'partition')!;
    assert.deepEqual(argvs(p.commands), [
      `! wipefs --all ${DISK}`,
      `! sfdisk --wipe always --wipe-partitions always ${DISK}`,
      '  udevadm settle --timeout=30',
      `  partx --delete ${DISK}`,
      `  partx --add ${DISK}`,
      `! mkfs.vfat -F 32 -n ESP ${DISK}-part1`,
      `! mkswap -L swap ${DISK}-part2`,
      `! mkfs.ext4 -F -L nixos ${DISK}-part3`,
    ]);
    // partx runs only when the kernel did not re-read the table, and the review says so
    for (const c of p.commands.slice(3, 5))
      assert.match(c.purpose, /^if the kernel did not pick up the new table: /);
    assert.equal(
      p.commands[1].stdin,
      'label: gpt\nsize=512MiB, type=uefi, name="ESP"\nsize=2048MiB, type=swap, name="swap"\ntype=linux, name="nixos"\n',
    );
    assert.deepEqual(
      p.files?.map((f) => f.path),
      ['/work/flake/hosts/demo/disko.nix'],
    );
  });

  it('partition: LUKS and btrfs subvolumes', () => {
    const layout: DiskLayout = {
      espSizeMiB: 1024,
      rootFs: 'btrfs',
      subvolumes: { '@': '/', '@home': '/home', '@nix': '/nix' },
      luks: { name: 'cryptroot' },
    };
    const p = planOf(options({ layout })).find((d) => d.id === 'partition')!;
    assert.deepEqual(argvs(p.commands).slice(5), [
      `! cryptsetup luksFormat --batch-mode --type luks2 --key-file=- ${DISK}-part2`,
      `  cryptsetup open --key-file=- ${DISK}-part2 cryptroot`,
      `! mkfs.vfat -F 32 -n ESP ${DISK}-part1`,
      '! mkfs.btrfs -f -L nixos /dev/mapper/cryptroot',
      `  sh -c ${p.commands[9].argv[2]} nixkit-subvolumes /dev/mapper/cryptroot @ @home @nix`,
    ]);
    // the passphrase is never part of the plan
    for (const c of p.commands)
      assert.equal(c.stdin?.includes('pass'), c.stdin === undefined ? undefined : false);
    const m = planOf(options({ layout })).find((d) => d.id === 'mount')!;
    assert.deepEqual(argvs(m.commands), [
      '  mkdir -p /mnt',
      '  mount -t btrfs -o subvol=@ /dev/mapper/cryptroot /mnt',
      '  mkdir -p /mnt/home',
      '  mount -t btrfs -o subvol=@home /dev/mapper/cryptroot /mnt/home',
      '  mkdir -p /mnt/nix',
      '  mount -t btrfs -o subvol=@nix /dev/mapper/cryptroot /mnt/nix',
      '  mkdir -p /mnt/boot',
      `  mount -t vfat -o umask=0077 ${DISK}-part1 /mnt/boot`,
    ]);
  });

  it('without a disk: partition skipped, mount only checks what is mounted', () => {
    const plan = planOf(options({ disk: undefined, confirmedDisk: undefined, layout: undefined }));
    const p = plan.find((d) => d.id === 'partition')!;
    assert.equal(p.skipped, 'use what is mounted at /mnt');
    assert.equal(p.commands.length, 0);
    const m = plan.find((d) => d.id === 'mount')!;
    assert.deepEqual(argvs(m.commands), ['  cat /proc/self/mountinfo /proc/swaps']);
    assert.ok(plan.every((d) => d.commands.every((c) => !c.destructive)));
  });

  it('the ESP goes where efiSysMountPoint says', () => {
    const mounts = plannedMounts(
      { espSizeMiB: 512, rootFs: 'xfs' },
      { esp: '/dev/sda1', root: '/dev/sda2' },
      '/mnt/',
      '/efi',
    );
    assert.deepEqual(
      mounts.map((m) => `${m.device} ${m.target} ${m.fsType}`),
      ['/dev/sda2 /mnt xfs', '/dev/sda1 /mnt/efi vfat'],
    );
  });

  it('partition paths on a normal kernel', () => {
    assert.equal(partitionPath('/dev/disk/by-id/ata-X', 2), '/dev/disk/by-id/ata-X-part2');
    assert.equal(partitionPath('/dev/sda', 1), '/dev/sda1');
    assert.equal(partitionPath('/dev/nvme0n1', 3), '/dev/nvme0n1p3');
    assert.equal(partitionPath('/dev/loop7', 1), '/dev/loop7p1');
  });

  it('refuses layouts it cannot apply, with reasons', () => {
    assert.deepEqual(layoutProblems({ espSizeMiB: 512, rootFs: 'ext4' }), []);
    const bad = layoutProblems({
      espSizeMiB: 10,
      rootFs: 'ext4',
      subvolumes: { 'a/b': 'rel' },
      luks: { name: 'x y' },
      labels: { esp: 'lower', root: 'a"b' },
    });
    assert.equal(bad.length, 8, bad.join('\n'));
    assert.throws(
      () => sfdiskScript({ espSizeMiB: 512, rootFs: 'ext4', labels: { root: 'x\ny' } }),
      /cannot be used/,
    );
  });
});

// Hostile strings: every command runs exactly its argv through a real shell, and the marker is never created.
describe('hostile disk ids and labels', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-hostile-'));
  const marker = path.join(dir, 'pwned');
  const hostileDisk = `/dev/disk/by-id/x'"$(touch ${marker})\`touch ${marker}\`;touch ${marker}`;
  // GPT names hold 36 characters: the label's marker is relative to the shell's folder (the same file).
  const hostileLabel = `r'$(touch pwned)\`touch pwned\``;
  const layout: DiskLayout = {
    espSizeMiB: 512,
    rootFs: 'btrfs',
    swapSizeMiB: 64,
    subvolumes: { '@': '/', '@home': '/home' },
    luks: { name: 'cr' },
    labels: { root: hostileLabel, swap: `s'$(id)` },
  };
  const o = options({
    disk: hostileDisk,
    confirmedDisk: hostileDisk,
    layout,
    root: `/mnt/a'$(touch ${marker})`,
  });

  it('reach every command as one argv element each', () => {
    const plan = planOf(o);
    let checked = 0;
    for (const d of plan) {
      for (const c of d.commands) {
        // What the session sends is shJoin(argv): a shell must hand the program exactly argv.
        const line = shJoin(['printf', '%s\\0', ...c.argv]);
        const out = execFileSync('sh', ['-c', line], { cwd: dir });
        const got = out.toString('utf8').split('\0').slice(0, -1);
        assert.deepEqual(got, c.argv);
        // inline scripts never contain the hostile text: it comes in as positional parameters
        if (c.argv[0] === 'sh') assert.ok(!c.argv[2].includes('pwned'), c.argv[2]);
        checked++;
      }
    }
    assert.ok(checked > 10);
    assert.ok(!fs.existsSync(marker), 'marker created: something reached a shell unquoted');
    const all = plan.flatMap((d) => d.commands.map((c) => c.argv.join(' '))).join('\n');
    assert.ok(all.includes(hostileDisk) && all.includes(hostileLabel));
  });

  it('the disko file keeps them as Nix strings (parses, no $ interpolation)', () => {
    const text = generateDisko(layout, { device: hostileDisk, efiSysMountPoint: '/boot' });
    const file = path.join(dir, 'disko.nix');
    fs.writeFileSync(file, text);
    const json = execFileSync('nix-instantiate', ['--eval', '--strict', '--json', file], {
      env: { ...process.env, NIX_STATE_DIR: path.join(dir, 'nix'), NIX_CONF_DIR: dir },
    }).toString();
    const v = JSON.parse(json) as { disko: { devices: { disk: { main: Record<string, unknown> } } } };
    const main = v.disko.devices.disk.main as {
      device: string;
      content: { partitions: Record<string, { content: { content?: { extraArgs?: string[] } } }> };
    };
    assert.equal(main.device, hostileDisk);
    assert.deepEqual(main.content.partitions.root.content.content?.extraArgs, ['-f', '-L', hostileLabel]);
    assert.ok(!fs.existsSync(marker));
  });
});

describe('disko file', () => {
  it('parses with nix-instantiate and checks clean, for every root filesystem', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-disko-'));
    const layouts: DiskLayout[] = [
      { espSizeMiB: 512, rootFs: 'ext4', swapSizeMiB: 1024 },
      { espSizeMiB: 512, rootFs: 'xfs' },
      { espSizeMiB: 512, rootFs: 'btrfs', subvolumes: { '@': '/', '@nix': '/nix' }, luks: { name: 'crypt' } },
    ];
    for (const [i, l] of layouts.entries()) {
      const file = path.join(dir, `disko${i}.nix`);
      fs.writeFileSync(file, generateDisko(l, { device: DISK, efiSysMountPoint: '/efi' }));
      execFileSync('nix-instantiate', ['--parse', file], { stdio: 'pipe' });
    }
    const check = await checkPaths([dir]);
    assert.deepEqual(
      check.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').map((f) => f.message),
      [],
    );
    assert.equal(check.filesChecked, 3);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says what the partition step does', () => {
    const text = generateDisko({ espSizeMiB: 512, rootFs: 'ext4', swapSizeMiB: 1024 }, { device: DISK });
    assert.match(text, /ESP = \{\n\s+priority = 1;\n\s+label = "ESP";\n\s+size = "512M";\n\s+type = "EF00";/);
    assert.match(text, /swap = \{\n\s+priority = 2;/);
    assert.match(text, /root = \{\n\s+priority = 3;[\s\S]*size = "100%";[\s\S]*format = "ext4";/);
  });
});
