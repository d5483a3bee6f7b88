// A resumed install re-identifies the disk before anything can erase it: preflight's verify probes the target again
// and compares the disk behind the chosen by-id name with the identity pinned at confirmation (size, serial, WWN,
// by-id), and while partitioning is still to come, refuses a disk something now holds. The target is a fake session
// answering the probe with recorded records and readlink with a device.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newInstallState } from '../../../engine/install/state-store';
import {
  checkIdentity,
  diskIdentity,
  identityMismatch,
  PreflightError,
  preflightStep,
} from '../../../engine/install/steps/preflight';
import type { StepContext } from '../../../engine/install/plan';
import { parseProbeOutput } from '../../../engine/probe/probe-parse';
import { PROBE_SCRIPT } from '../../../engine/probe/probe-script';
import type { Session } from '../../../engine/ssh/session';
import type { InstallOptions, InstallState, StepEvent } from '../../../protocol/install-state';

const DISK = '/dev/disk/by-id/virtio-nixkit-target';

function records(list: [string, string][]): Buffer {
  return Buffer.concat(
    list.map(([n, v]) => {
      const nb = Buffer.from(n);
      const vb = Buffer.from(v);
      return Buffer.concat([Buffer.from(`R ${nb.length} ${vb.length}\n`), nb, vb, Buffer.from('\n')]);
    }),
  );
}

interface Target {
  /** The kernel name behind DISK. */
  device: string;
  serial: string;
  sectors: number;
  /** Holders of partition 1 (e.g. an LVM volume activated since). */
  holders?: string;
}

function probeOutput(t: Target): Buffer {
  const n = t.device.replace('/dev/', '');
  return records([
    ['meta/version', '1'],
    ['meta/uid', '0'],
    ['mnt/mountinfo', '22 1 254:0 / / rw - ext4 /dev/vda2 rw\n'],
    ['mnt/swaps', 'Filename\tType\tSize\tUsed\tPriority\n'],
    [`blk/${n}/size`, String(t.sectors)],
    [`blk/${n}/dev`, '253:16'],
    [`blk/${n}/serial`, t.serial],
    [`part/${n}/${n}1/partition`, '1'],
    [`part/${n}/${n}1/start`, '2048'],
    [`part/${n}/${n}1/size`, '4096'],
    [`part/${n}/${n}1/dev`, '253:17'],
    ...(t.holders ? ([[`part/${n}/${n}1/holders`, t.holders]] as [string, string][]) : []),
    ...(t.holders
      ? ([
          ['blk/dm-0/size', '4096'],
          ['blk/dm-0/dev', '254:0'],
          ['blk/dm-0/dm-name', 'vg-data'],
          ['blk/dm-0/dm-uuid', 'LVM-1234'],
        ] as [string, string][])
      : []),
    [`byid/virtio-${t.serial}`, `../../${n}`],
    ['meta/end', '1'],
  ]);
}

function fakeSession(t: Target, commands: string[]): Session {
  return {
    target: { label: 'root@vm', user: 'root', host: 'vm', port: 22 },
    redact: (s: string) => s,
    ensureRoot: async () => 'root',
    execAsRoot: async (argv: readonly string[]) => {
      commands.push(argv[0] === 'sh' && argv[2] === PROBE_SCRIPT ? 'probe' : argv.join(' '));
      if (argv[0] === 'sh' && argv[2] === PROBE_SCRIPT)
        return { code: 0, stdout: probeOutput(t), stderr: Buffer.alloc(0) };
      if (argv[0] === 'readlink')
        return { code: 0, stdout: Buffer.from(t.device + '\n'), stderr: Buffer.alloc(0) };
      throw new Error(`unexpected command ${argv.join(' ')}`);
    },
  } as unknown as Session;
}

const ORIGINAL: Target = { device: '/dev/vdb', serial: 'nixkit-target', sectors: 8388608 };

function resumedState(o: Partial<InstallOptions> = {}): InstallState {
  const options: InstallOptions = {
    flake: '/f',
    configuration: 'demo',
    target: 'root@vm',
    disk: DISK,
    confirmedDisk: DISK,
    buildOn: 'local',
    root: '/mnt',
    reboot: false,
    ...o,
  };
  const st = newInstallState(options, ['preflight', 'partition', 'mount']);
  const report = parseProbeOutput(probeOutput(ORIGINAL));
  st.probe = report;
  st.diskIdentity = diskIdentity(report.disks.find((d) => d.path === '/dev/vdb')!);
  st.steps[0] = { id: 'preflight', status: 'done', outputs: { diskDevice: '/dev/vdb' } };
  return st;
}

async function verify(state: InstallState, now: Target): Promise<{ notes: string[]; commands: string[] }> {
  const notes: string[] = [];
  const commands: string[] = [];
  const ctx: StepContext = {
    options: state.options,
    state,
    session: fakeSession(now, commands),
    local: { run: () => Promise.reject(new Error('no local commands')) },
    outputs: (id) => state.steps.find((s) => s.id === id)?.outputs,
    emit: (e: StepEvent) => void (e.kind === 'note' && notes.push(e.text)),
    signal: new AbortController().signal,
  };
  await preflightStep.verify(ctx, state.steps[0].outputs ?? {});
  return { notes, commands };
}

describe('resume: the disk is re-identified before anything is erased', () => {
  it('the same disk: probed again, readlink, accepted', async () => {
    const { notes, commands } = await verify(resumedState(), ORIGINAL);
    assert.deepEqual(commands, ['probe', `readlink -e -- ${DISK}`]);
    assert.match(notes.join('\n'), /is still the disk confirmed for erasing \(\/dev\/vdb\)/);
  });

  it('another disk behind the name (other serial, other size): refused, nothing erased', async () => {
    await assert.rejects(
      verify(resumedState(), { device: '/dev/vdb', serial: 'other', sectors: 4194304 }),
      (e: unknown) =>
        e instanceof PreflightError &&
        /is not the disk confirmed for erasing \(size 2147483648 bytes, was 4294967296; serial other, was nixkit-target; .* no longer names it\): nothing was erased/.test(
          e.message,
        ),
    );
  });

  it('the same disk, now held by an LVM volume while partitioning is still to come: refused with the chain', async () => {
    await assert.rejects(
      verify(resumedState(), { ...ORIGINAL, holders: 'dm-0' }),
      (e: unknown) =>
        e instanceof PreflightError && /\/dev\/vdb1 holds dm-0 \(LVM volume vg-data\)/.test(e.message),
    );
    // after partitioning the install's own mounts are expected: only the identity is checked
    const st = resumedState();
    st.steps[1] = { id: 'partition', status: 'done', outputs: {} };
    await verify(st, { ...ORIGINAL, holders: 'dm-0' });
  });

  it('the same disk under another kernel name: preflight must run again (its outputs name the device)', async () => {
    await assert.rejects(
      verify(resumedState(), { ...ORIGINAL, device: '/dev/vdc' }),
      (e: unknown) =>
        e instanceof PreflightError && /is now \/dev\/vdc \(it was \/dev\/vdb\)/.test(e.message),
    );
  });

  it('a state without a pinned identity is not resumed into erasing', async () => {
    const st = resumedState();
    delete st.diskIdentity;
    await assert.rejects(verify(st, ORIGINAL), /does not say which disk was confirmed/);
  });

  it('without a disk to erase, nothing is probed again', async () => {
    const { commands } = await verify(resumedState({ disk: undefined, confirmedDisk: undefined }), ORIGINAL);
    assert.deepEqual(commands, []);
  });

  it('identityMismatch: the kernel name may change, the serial, size, WWN and by-id may not', () => {
    const a = diskIdentity(parseProbeOutput(probeOutput(ORIGINAL)).disks[0]);
    assert.equal(identityMismatch(a, { ...a, device: '/dev/sdz' }, DISK), null);
    assert.match(
      identityMismatch(a, { ...a, wwn: 'x' }, DISK) ?? '',
      /^$/,
      'an unknown pinned WWN is not compared',
    );
    assert.match(identityMismatch({ ...a, wwn: 'w1' }, { ...a, wwn: 'w2' }, DISK) ?? '', /WWN w2, was w1/);
    const st = resumedState();
    assert.throws(
      () => checkIdentity(st, { ...parseProbeOutput(probeOutput(ORIGINAL)).disks[0], sizeBytes: 1 }, DISK),
      /size 1 bytes, was 4294967296/,
    );
  });
});
