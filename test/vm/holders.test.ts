// A disk under LVM and dm-crypt, for real: the VM's target disk gets an LVM physical volume (a logical volume
// mounted, a second one holding an open LUKS mapping: LUKS on LVM) and a LUKS partition opened but not mounted. The
// probe (through the engine, over SSH) must record the holders, and preflight's disk check and the wizard's disk
// page must refuse the disk naming each chain; taken apart step by step (unmount, close, deactivate), the refusal
// narrows and finally the disk is accepted. The namespace target cannot do this: its kernel has no device-mapper.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StepContext } from '../../engine/install/plan';
import { newInstallState } from '../../engine/install/state-store';
import { checkDisk, diskIdentity, PreflightError, preflightStep } from '../../engine/install/steps/preflight';
import { runProbe } from '../../engine/probe/run-probe';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import { Session } from '../../engine/ssh/session';
import { diskChoices } from '../../extension/panels/install-wizard-model';
import type { InstallOptions, InstallState } from '../../protocol/install-state';
import type { ProbeReport } from '../../protocol/probe-report';
import { validateProbeReport } from '../../protocol/probe-report-schema';
import { FakePrompter } from '../integration/netns-target';
import { startVmTarget, vmResolved, type VmTarget } from './vm-target';

const T = { timeout: 600_000 };
const EXEC = { timeoutMs: 300_000 };

let vm: VmTarget;
let stop: (() => void) | undefined;
let dir: string;
let s: Session;

before(
  async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-holders-'));
    const started = startVmTarget({ sshDeadlineS: 420 });
    stop = started.stop;
    vm = await started.ready;
    s = await Session.connect({
      target: vmResolved(vm, 'root', [vm.identity]),
      prompter: new FakePrompter(),
      hostKeyStore: new FileHostKeyStore(path.join(dir, 'store')),
      userKnownHostsFiles: [vm.knownHosts],
      agent: false,
      useDefaultIdentities: false,
      readyTimeoutMs: 60_000,
    });
  },
  { timeout: 900_000 },
);
after(
  () => {
    s?.close();
    stop?.();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 90_000 },
);

async function sh(script: string): Promise<string> {
  const r = await s.exec(['sh', '-c', script], EXEC);
  assert.equal(r.code, 0, `${script}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

async function probe(): Promise<ProbeReport> {
  const r = (await runProbe(s, { timeoutMs: 180_000 })).report;
  const v = validateProbeReport(JSON.parse(JSON.stringify(r)));
  assert.ok(v.ok, v.ok ? '' : v.errors.join('\n'));
  return r;
}

function options(disk: string): InstallOptions {
  return {
    flake: '/f',
    configuration: 'c',
    target: 'root@vm',
    disk,
    confirmedDisk: disk,
    buildOn: 'local',
    root: '/mnt',
    reboot: false,
  };
}

/** checkDisk's refusal message, or null when the disk is accepted. */
function refusal(r: ProbeReport, device: string): string | null {
  try {
    checkDisk(r, options(vm.targetDisk), device);
    return null;
  } catch (e) {
    if (e instanceof PreflightError) return e.message;
    throw e;
  }
}

describe('a target disk under LVM and dm-crypt (real device-mapper in the VM)', () => {
  let device = '';
  let dmOf: Record<string, string> = {};

  it('sets up LVM (one volume mounted, LUKS on another) and an open LUKS partition', T, async () => {
    device = (await sh(`readlink -f ${vm.targetDisk}`)).trim();
    assert.match(device, /^\/dev\/vd[a-z]$/);
    const d = device;
    await sh(
      `set -e; printf 'label: gpt\\n,1G\\n,512M\\n' | sfdisk -q ${d}; udevadm settle; ` +
        `pvcreate -q ${d}1; vgcreate -q nkvg ${d}1; ` +
        `lvcreate -q -y -L 64M -n data nkvg; lvcreate -q -y -L 64M -n secret nkvg; ` +
        `mkfs.ext4 -q /dev/nkvg/data; mkdir -p /srv/nk-data; mount /dev/nkvg/data /srv/nk-data; ` +
        `printf pw | cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 /dev/nkvg/secret -; ` +
        `printf pw | cryptsetup open --key-file - /dev/nkvg/secret nkinner; ` +
        `printf pw | cryptsetup luksFormat -q --type luks2 --pbkdf pbkdf2 --pbkdf-force-iterations 1000 ${d}2 -; ` +
        `printf pw | cryptsetup open --key-file - ${d}2 nkcrypt`,
    );
    // The kernel names of the mappings, as the VM itself says (not the probe).
    dmOf = {};
    for (const n of ['nkvg-data', 'nkvg-secret', 'nkinner', 'nkcrypt'])
      dmOf[n] = path.basename((await sh(`readlink -f /dev/mapper/${n}`)).trim());
  });

  it('the probe records the holders of the partitions, the dm names and uuids', T, async () => {
    const r = await probe();
    const name = path.basename(device);
    const disk = r.disks.find((x) => x.name === name)!;
    const p1 = disk.partitions.find((p) => p.number === 1)!;
    const p2 = disk.partitions.find((p) => p.number === 2)!;
    assert.deepEqual(p1.holders, [dmOf['nkvg-data'], dmOf['nkvg-secret']].sort());
    assert.deepEqual(p2.holders, [dmOf.nkcrypt]);
    const dm = (n: string) => r.disks.find((x) => x.name === dmOf[n])!;
    assert.equal(dm('nkvg-data').dm?.name, 'nkvg-data');
    assert.match(dm('nkvg-data').dm?.uuid ?? '', /^LVM-/);
    assert.match(dm('nkcrypt').dm?.uuid ?? '', /^CRYPT-LUKS2-/);
    assert.deepEqual(dm('nkvg-secret').holders, [dmOf.nkinner]);
    assert.deepEqual(dm('nkvg-data').mountpoints, ['/srv/nk-data']);
    assert.equal(disk.liveSystem, false, 'the live root is on the other disk');
    // The disk itself and its partitions have no mount point of their own: the old check saw nothing.
    assert.deepEqual([...disk.mountpoints, ...disk.partitions.flatMap((p) => p.mountpoints)], []);
  });

  it(
    'preflight and the wizard refuse the disk, naming every chain; the refusal narrows as it is taken apart',
    T,
    async () => {
      const name = path.basename(device);
      const at = (m: string) => `/dev/${name}${m}`;
      let r = await probe();
      let m = refusal(r, device) ?? assert.fail('the disk under LVM and LUKS was accepted');
      assert.ok(
        m.includes(`${at('1')} holds ${dmOf['nkvg-data']} (LVM volume nkvg-data), mounted at /srv/nk-data`),
        m,
      );
      assert.ok(
        m.includes(
          `${at('1')} holds ${dmOf['nkvg-secret']} (LVM volume nkvg-secret) which holds ${dmOf.nkinner} (open LUKS mapping nkinner)`,
        ),
        m,
      );
      assert.ok(m.includes(`${at('2')} holds ${dmOf.nkcrypt} (open LUKS mapping nkcrypt)`), m);
      const choice = diskChoices(r).find((c) => c.path === device)!;
      assert.ok(choice.names.includes(vm.targetDisk));
      assert.match(choice.blocked ?? '', /^in use \(.*mounted at \/srv\/nk-data/);

      await sh('umount /srv/nk-data');
      r = await probe();
      m = refusal(r, device) ?? assert.fail('accepted with active volumes and open mappings');
      assert.ok(!m.includes('mounted at'), m);
      assert.ok(m.includes(`${at('1')} holds ${dmOf['nkvg-data']} (LVM volume nkvg-data)`), m);

      await sh('cryptsetup close nkinner && cryptsetup close nkcrypt');
      r = await probe();
      m = refusal(r, device) ?? assert.fail('accepted with an active volume group');
      assert.ok(!m.includes('open LUKS mapping'), m);
      assert.match(m, /LVM volume nkvg-data\).*LVM volume nkvg-secret\)/s);

      await sh('vgchange -q -an nkvg');
      r = await probe();
      assert.equal(refusal(r, device), null, 'nothing holds the disk any more: it may be erased');
      assert.equal(diskChoices(r).find((c) => c.path === device)!.blocked, null);
    },
  );

  it(
    'a resume re-identifies the disk on the real target: the same disk passes, another is refused, and one LVM holds again is refused',
    T,
    async () => {
      const r = await probe();
      const disk = r.disks.find((d) => d.path === device)!;
      const resumed = (pinned: InstallState['diskIdentity']): InstallState => {
        const st = newInstallState(options(vm.targetDisk), ['preflight', 'partition', 'mount']);
        st.probe = r;
        st.diskIdentity = pinned;
        st.steps[0] = { id: 'preflight', status: 'done', outputs: { diskDevice: device } };
        return st;
      };
      const verify = async (st: InstallState) => {
        const notes: string[] = [];
        const ctx: StepContext = {
          options: st.options,
          state: st,
          session: s,
          local: { run: () => Promise.reject(new Error('no local commands')) },
          outputs: (id) => st.steps.find((x) => x.id === id)?.outputs,
          emit: (e) => void (e.kind === 'note' && notes.push(e.text)),
          signal: new AbortController().signal,
        };
        await preflightStep.verify(ctx, st.steps[0].outputs ?? {});
        return notes;
      };
      const id = diskIdentity(disk);
      assert.equal(id.serial, 'nixkit-target');
      assert.ok(id.byId.includes('virtio-nixkit-target'), id.byId.join(' '));
      assert.match((await verify(resumed(id))).join('\n'), /is still the disk confirmed for erasing/);
      await assert.rejects(
        verify(resumed({ ...id, serial: 'nixkit-other', sizeBytes: id.sizeBytes * 2 })),
        (e: unknown) =>
          e instanceof PreflightError &&
          /is not the disk confirmed for erasing \(size .*serial nixkit-target, was nixkit-other/.test(
            e.message,
          ),
      );
      await sh('vgchange -q -ay nkvg');
      await assert.rejects(
        verify(resumed(id)),
        (e: unknown) =>
          e instanceof PreflightError && /holds dm-\d+ \(LVM volume nkvg-data\)/.test(e.message),
      );
      await sh('vgchange -q -an nkvg');
    },
  );
});
