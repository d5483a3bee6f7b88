// Virtual-machine guests (issue: installs that come back): a VirtualBox shared folder without nofail, a guest
// without its hypervisor's support, and BIOS GRUB with no device where a probe names the only disk. Exact findings
// where the configuration is wrong, their fixes applied and checked again, and silence wherever nixkit cannot know.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { ProbeReport } from '../../../protocol/probe-report';
import { checkPaths } from '../../../server/analysis/check-files';
import { emptyProbe, exampleDisk } from '../../../server/facts/probe';
import type { Finding } from '../../../server/findings';
import { tempDir } from '../../helpers';

const CODES = new Set(['vboxsf-without-nofail', 'vm-guest-support-missing', 'grub-device-missing']);

interface Checked {
  found: { code: string; where: string; message: string; finding: Finding }[];
  dir: string;
}

/** Checks a workspace (with the probe saved for its configuration), keeping the folder for applying fixes. */
async function check(files: Record<string, string>, probe?: ProbeReport): Promise<Checked> {
  const dir = tempDir('vm-guests');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  if (probe) {
    fs.mkdirSync(path.join(dir, '.nixkit', 'hosts'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.nixkit', 'hosts', `${path.basename(dir)}.json`), JSON.stringify(probe));
  }
  const result = await checkPaths([dir]);
  assert.deepEqual(
    result.findings.filter((f) => f.code === 'syntax-error').map((f) => f.message),
    [],
    'valid Nix',
  );
  const found = result.findings
    .filter((f) => CODES.has(f.code))
    .map((f) => ({
      code: f.code,
      where: `${f.code} ${path.relative(dir, f.file)}:${f.range.start.line + 1}`,
      message: f.message,
      finding: f,
    }));
  return { found, dir };
}

/** Applies the first fix of a finding to its file on disk and checks the workspace again. */
async function fixAndRecheck(c: Checked, index: number, probe?: ProbeReport): Promise<Checked> {
  const fix = c.found[index].finding.fixes?.[0];
  assert.ok(fix, `${c.found[index].where} has a fix`);
  const file = fix.edits[0].file;
  let text = fs.readFileSync(file, 'utf8');
  const offset = (p: { line: number; character: number }) =>
    text.split('\n').slice(0, p.line).join('\n').length + (p.line ? 1 : 0) + p.character;
  for (const e of [...fix.edits].sort((a, b) => offset(b.range.start) - offset(a.range.start)))
    text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  const files: Record<string, string> = {};
  for (const f of fs.readdirSync(c.dir))
    if (f.endsWith('.nix')) files[f] = fs.readFileSync(path.join(c.dir, f), 'utf8');
  files[path.relative(c.dir, file)] = text;
  fs.rmSync(c.dir, { recursive: true, force: true });
  return check(files, probe);
}

const wheres = (c: Checked) => c.found.map((f) => f.where).sort();

const ROOT_UUID = '0f3c9d2e-6b1a-4c7e-9f10-2a3b4c5d6e7f';
const config = (body: string, args = '{ ... }') => `${args}:
{
  boot.loader.systemd-boot.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-uuid/${ROOT_UUID}"; fsType = "ext4"; };
${body}  system.stateVersion = "24.11";
}
`;

function guest(type: string, disk: { transport: string; module: string }): ProbeReport {
  return emptyProbe({
    system: { ...emptyProbe().system, virtualisation: { type, source: 'systemd-detect-virt' } },
    cpu: { ...emptyProbe().cpu, hypervisorFlag: true },
    disks: [exampleDisk('sda', [{ type: 'ext4', uuid: ROOT_UUID }], disk)],
  });
}
const VBOX = guest('oracle', { transport: 'sata', module: 'sd_mod' });
const KVM_SATA = guest('kvm', { transport: 'sata', module: 'sd_mod' });
const KVM_VIRTIO = guest('kvm', { transport: 'virtio', module: 'virtio_blk' });

describe('vboxsf-without-nofail', () => {
  const share = (options: string) => `  virtualisation.virtualbox.guest.enable = true;
  fileSystems."/media/share" = {
    device = "share";
    fsType = "vboxsf";
${options}  };
`;

  test('a share without options is found, and the fix writes options = [ "nofail" ]', async () => {
    const c = await check({ 'configuration.nix': config(share('')) });
    assert.deepEqual(wheres(c), ['vboxsf-without-nofail configuration.nix:8']);
    assert.match(c.found[0].message, /"\/media\/share" is a VirtualBox shared folder without "nofail"/);
    const after = await fixAndRecheck(c, 0);
    assert.deepEqual(wheres(after), []);
    assert.match(
      fs.readFileSync(path.join(after.dir, 'configuration.nix'), 'utf8'),
      /options = \[ "nofail" \];/,
    );
  });

  test('options without nofail: the fix appends it to the list', async () => {
    const c = await check({ 'configuration.nix': config(share('    options = [ "rw" "uid=1000" ];\n')) });
    assert.deepEqual(wheres(c), ['vboxsf-without-nofail configuration.nix:8']);
    const after = await fixAndRecheck(c, 0);
    assert.deepEqual(wheres(after), []);
    assert.match(
      fs.readFileSync(path.join(after.dir, 'configuration.nix'), 'utf8'),
      /options = \[ "rw" "uid=1000" "nofail" \];/,
    );
  });

  test('nofail or noauto anywhere in the options, options nixkit cannot read, other file systems: silence', async () => {
    for (const options of [
      '    options = [ "nofail" ];\n',
      '    options = [ "noauto" "x-systemd.automount" ];\n',
      '    options = someOptions;\n',
      '    options = [ (import ./opt.nix) ];\n',
    ]) {
      const c = await check({ 'configuration.nix': config(share(options)) });
      assert.deepEqual(wheres(c), [], options);
    }
    const nfs = await check({
      'configuration.nix': config('  fileSystems."/srv" = { device = "nas:/srv"; fsType = "nfs"; };\n'),
    });
    assert.deepEqual(wheres(nfs), []);
  });
});

describe('vm-guest-support-missing', () => {
  test('VirtualBox without the guest additions: found, fixed by setting them on', async () => {
    const c = await check({ 'configuration.nix': config('') }, VBOX);
    assert.deepEqual(wheres(c), ['vm-guest-support-missing configuration.nix:1']);
    assert.match(
      c.found[0].message,
      /VirtualBox guest .* virtualisation\.virtualbox\.guest\.enable is not set/,
    );
    const after = await fixAndRecheck(c, 0, VBOX);
    assert.deepEqual(wheres(after), []);
  });

  test('VirtualBox with the guest additions set to false: the finding points at false and the fix flips it', async () => {
    const c = await check(
      { 'configuration.nix': config('  virtualisation.virtualbox.guest.enable = false;\n') },
      VBOX,
    );
    assert.deepEqual(wheres(c), ['vm-guest-support-missing configuration.nix:5']);
    const after = await fixAndRecheck(c, 0, VBOX);
    assert.deepEqual(wheres(after), []);
  });

  test('QEMU/KVM without the qemu-guest profile or any virtio driver: found; the fix imports the profile', async () => {
    const c = await check({ 'configuration.nix': config('', '{ modulesPath, ... }') }, KVM_SATA);
    assert.deepEqual(wheres(c), ['vm-guest-support-missing configuration.nix:1']);
    const after = await fixAndRecheck(c, 0, KVM_SATA);
    assert.deepEqual(wheres(after), []);
    assert.match(
      fs.readFileSync(path.join(after.dir, 'configuration.nix'), 'utf8'),
      /imports = \[ \(modulesPath \+ "\/profiles\/qemu-guest\.nix"\) \];/,
    );
  });

  test('no fix is offered where the module does not take modulesPath (the import would not evaluate)', async () => {
    const c = await check({ 'configuration.nix': config('') }, KVM_SATA);
    assert.deepEqual(wheres(c), ['vm-guest-support-missing configuration.nix:1']);
    assert.deepEqual(c.found[0].finding.fixes ?? [], []);
  });

  test('silence: virtio drivers in the initrd, a virtio root disk (initrd-module-missing speaks), no probe, bare metal, an unreadable module', async () => {
    const cases: [Record<string, string>, ProbeReport | undefined][] = [
      [
        { 'configuration.nix': config('  boot.initrd.availableKernelModules = [ "virtio_pci" "ahci" ];\n') },
        KVM_SATA,
      ],
      [{ 'configuration.nix': config('') }, KVM_VIRTIO],
      [{ 'configuration.nix': config('') }, undefined],
      [{ 'configuration.nix': config('') }, guest('none', { transport: 'sata', module: 'sd_mod' })],
      [
        {
          'configuration.nix': config(
            '  imports = [ inputs.somewhere.nixosModules.vm ];\n',
            '{ inputs, ... }',
          ),
        },
        VBOX,
      ],
      [
        {
          'configuration.nix': config(
            '  virtualisation.virtualbox.guest.enable = lib.mkDefault someFlag;\n',
            '{ lib, someFlag, ... }',
          ),
        },
        VBOX,
      ],
    ];
    for (const [files, probe] of cases) {
      const c = await check(files, probe);
      assert.deepEqual(
        wheres(c).filter((w) => w.startsWith('vm-guest')),
        [],
        files['configuration.nix'],
      );
    }
  });
});

describe('grub-device-missing with a probe of a BIOS machine', () => {
  const bios = (over: Partial<ReturnType<typeof exampleDisk>>, virt = 'none'): ProbeReport =>
    emptyProbe({
      firmware: { ...emptyProbe().firmware, mode: 'bios', efivarsMounted: false, efivarsWritable: null },
      system: { ...emptyProbe().system, virtualisation: { type: virt, source: 'systemd-detect-virt' } },
      disks: [exampleDisk('sda', [{ type: 'ext4', uuid: ROOT_UUID }], over)],
    });
  const grub = `{ ... }:
{
  boot.loader.grub.enable = true;
  fileSystems."/" = { device = "/dev/disk/by-uuid/${ROOT_UUID}"; fsType = "ext4"; };
  system.stateVersion = "24.11";
}
`;

  test("the target's only disk is suggested by id, and the fix makes the finding go away", async () => {
    const probe = bios({ byId: ['wwn-0x5000c500a1b2c3d4', 'ata-QEMU_HARDDISK_QM00001'] });
    const c = await check({ 'configuration.nix': grub }, probe);
    assert.deepEqual(wheres(c), ['grub-device-missing configuration.nix:3']);
    assert.match(
      c.found[0].message,
      /the target's only disk is \/dev\/disk\/by-id\/ata-QEMU_HARDDISK_QM00001/,
    );
    const after = await fixAndRecheck(c, 0, probe);
    assert.deepEqual(wheres(after), []);
    assert.match(
      fs.readFileSync(path.join(after.dir, 'configuration.nix'), 'utf8'),
      /boot\.loader\.grub\.device = "\/dev\/disk\/by-id\/ata-QEMU_HARDDISK_QM00001";/,
    );
  });

  test('a virtio disk without a serial (no by-id name) in a VM: its kernel name; two disks: no guess', async () => {
    const virtio = await check(
      { 'configuration.nix': grub },
      bios({ transport: 'virtio', module: 'virtio_blk', name: 'vda', path: '/dev/vda' }, 'kvm'),
    );
    assert.match(virtio.found[0].message, /the target's only disk is \/dev\/vda/);
    const two = bios({ byId: ['ata-A'] });
    two.disks.push(exampleDisk('sdb', [], { byId: ['ata-B'] }));
    const c = await check({ 'configuration.nix': grub }, two);
    assert.deepEqual(wheres(c), ['grub-device-missing configuration.nix:3']);
    assert.doesNotMatch(c.found[0].message, /only disk/);
    assert.equal(c.found[0].finding.fixes?.length ?? 0, 0);
  });
});
