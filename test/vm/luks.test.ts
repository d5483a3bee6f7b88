// The LUKS root, for real: the VM target's rescue system (test/targets/vm: Debian's kernel with device-mapper,
// cryptsetup in the image) is installed onto through the engine's own steps — preflight → partition → mount →
// hardware-config with InstallRunner, layout { ESP 64 MiB, ext4, luks: cryptroot } — with a passphrase full of
// shell syntax (quotes, $(), backticks, spaces, a backslash). Then, on the VM itself:
//
// - the root partition is a LUKS2 container, /dev/mapper/cryptroot is open on it with ext4 inside, mounted at /mnt;
// - hardware-configuration.nix in the flake unlocks the container by its UUID and mounts the ext4 by its UUID (what
//   nixos-generate-config writes for a filesystem on an open LUKS mapping);
// - the finish step's unmount (no reboot) closes the mapping, after which the container opens with exactly that
//   passphrase and nothing else (it was not mangled by quoting on the way);
// - a resume after the mapping was closed (as a reboot of the rescue system leaves it) asks for the passphrase
//   again and reopens the container in the partition step's verify; without a passphrase, or with a mistyped one,
//   it stops at the partition step and erases nothing (the runner runs a step again when its check fails: a typo
//   must not wipe the disk and encrypt the new root with the typo);
// - the passphrase is in no event, transcript, state or flake file.
//
// Root only (the image build, qemu). The VM runs in a state folder of its own (vm-harness.ts: other VM tests may
// run at the same time) and is stopped whatever happens: after hook, process exit, signals, NIXKIT_VM_LIFETIME.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { InstallOptions, InstallState, StepEvent, StepId } from '../../protocol/install-state';
import type { Step } from '../../engine/install/plan';
import { InstallFailedError, InstallRunner } from '../../engine/install/runner';
import { newInstallState, StateStore } from '../../engine/install/state-store';
import { finishStep, type FinishOutputs } from '../../engine/install/steps/finish';
import type { HardwareConfigOutputs } from '../../engine/install/steps/hardware-config';
import { installSteps } from '../../engine/install/steps';
import type { PartitionOutputs } from '../../engine/install/steps/partition';
import { FileHostKeyStore } from '../../engine/ssh/known-hosts';
import { Session } from '../../engine/ssh/session';
import { FakePrompter } from '../integration/netns-target';
import { writeFlake } from '../unit/install/fixtures';
import { MIN, Phases, RESULTS, VM_TARGET_DISK, Vm, diag, type LiveVm } from './vm-harness';

const ROOT_PART = `${VM_TARGET_DISK}-part2`;
const MAPPING = 'cryptroot';
/** Every piece of shell syntax that would change it if it ever went through a shell unquoted; MARK finds fragments. */
const MARK = 'Tr0ub4dor';
const PASSPHRASE = `it's "$(touch /tmp/nixkit-pwned)" \`touch /tmp/nixkit-pwned2\` $HOME \\ ; ${MARK}&3 x`;
/** A typo of it, typed when the install resumes. */
const TYPO = PASSPHRASE.replace('&3', '&4');
const FIRST_STEPS: StepId[] = ['preflight', 'partition', 'mount', 'hardware-config'];

const phases = new Phases();

let dir = '';
let vm: Vm | undefined;
let live: LiveVm;
/** A session of the test's own for looking at the VM (the runner opens and closes its own). */
let look: Session | undefined;
let flake = '';
let store: StateStore;
/** The state right after the first four steps: every resume test starts from a copy of it. */
let firstState: InstallState | undefined;
/** Every event of every run, as the wizard or the CLI would have received it. */
const allEvents: { run: string; step: StepId; event: StepEvent }[] = [];

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => process.exit(130));

function connect(signal: AbortSignal): Promise<Session> {
  // The live system's host key as startLive pinned it, the image's root key: nothing is asked, nothing trusted blindly.
  const target = { label: 'root@127.0.0.1', user: 'root', host: '127.0.0.1', port: live.port };
  return Session.connect({
    target: { ...target, identityFiles: [live.key], proxyJump: [] },
    prompter: new FakePrompter(),
    hostKeyStore: new FileHostKeyStore(live.knownHosts),
    userKnownHostsFiles: [],
    agent: false,
    useDefaultIdentities: false,
    readyTimeoutMs: 2 * MIN,
    signal,
  });
}

/** `sh -c SCRIPT sh ARGS...` on the VM as root; the exit code is the caller's to judge. */
async function vmSh(
  script: string,
  args: string[] = [],
  stdin?: string,
): Promise<{ code: number | null; out: string; err: string }> {
  const r = await look!.exec(['sh', '-c', script, 'sh', ...args], { stdin, timeoutMs: 5 * MIN });
  return { code: r.code, out: r.stdout.toString(), err: r.stderr.toString() };
}

async function vmOk(script: string, args: string[] = [], stdin?: string): Promise<string> {
  const r = await vmSh(script, args, stdin);
  assert.equal(r.code, 0, `${script} ${args.join(' ')} exited with ${r.code}: ${r.err}`);
  return r.out;
}

/** blkid's low-level probe of a device: ID_FS_TYPE, ID_FS_UUID, ID_FS_VERSION ... */
async function blkid(device: string): Promise<Record<string, string>> {
  const out = (await vmSh('blkid -p -o udev "$1"', [device])).out;
  return Object.fromEntries(out.split('\n').flatMap((l) => (l.includes('=') ? [l.split(/=(.*)/s, 2)] : [])));
}

function options(): InstallOptions {
  return {
    flake,
    configuration: 'nixkit-vm',
    target: 'root@127.0.0.1',
    buildOn: 'local',
    root: '/mnt',
    reboot: false,
    strategy: 'no-nix',
    disk: VM_TARGET_DISK,
    confirmedDisk: VM_TARGET_DISK,
    layout: { espSizeMiB: 64, rootFs: 'ext4', luks: { name: MAPPING } },
  };
}

interface Run {
  runner: InstallRunner;
  events: { step: StepId; event: StepEvent }[];
  asked: () => number;
}

/** An InstallRunner over the given steps; `passphrase` is what the person answers when asked (counted). */
function runner(name: string, steps: Step[], state: InstallState, passphrase: string | undefined): Run {
  const events: Run['events'] = [];
  let asked = 0;
  const r = new InstallRunner(state, {
    steps,
    store,
    connect,
    luksPassphrase: async () => {
      asked++;
      return passphrase;
    },
    onEvent: (step, event) => {
      events.push({ step, event });
      allEvents.push({ run: name, step, event });
    },
    signal: AbortSignal.timeout(25 * MIN),
  });
  return { runner: r, events, asked: () => asked };
}

const commands = (run: Run, step?: StepId) =>
  run.events
    .filter((e) => e.event.kind === 'command' && (step === undefined || e.step === step))
    .map((e) => (e.event.kind === 'command' ? e.event.command.argv.join(' ') : ''));

const firstSteps = () => installSteps().filter((s) => FIRST_STEPS.includes(s.id));
const copyOfFirstState = (): InstallState => JSON.parse(JSON.stringify(firstState)) as InstallState;

before(
  async () => {
    assert.equal(process.getuid?.(), 0, 'the VM tier runs as root (image build, qemu)');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-luks-'));
    flake = writeFlake(path.join(dir, 'flake'), 'nixkit-vm');
    store = new StateStore(path.join(dir, 'installs'));
    vm = new Vm(path.join(dir, 'vm'));
    // After the Vm's own exit handler (listeners run in order) has stopped qemu: an interrupted run leaves no
    // state folder with its 4 GiB target disk behind.
    process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    live = await vm.startLive(phases, path.join(dir, 'known_hosts'));
    look = await connect(AbortSignal.timeout(5 * MIN));
  },
  { timeout: 45 * MIN },
);

after(
  () => {
    look?.close();
    vm?.clean({ 'serial.log': 'vm-luks-serial.log' });
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS, 'vm-luks.json'),
      JSON.stringify({ phases: phases.list }, null, 2) + '\n',
    );
    diag('phases: ' + phases.summary());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 2 * MIN },
);

describe('VM: a LUKS root through the install engine', () => {
  it('the rescue system has device-mapper, dm-crypt and cryptsetup', { timeout: 5 * MIN }, async () => {
    const out = await vmOk(
      'modprobe dm_crypt && grep -E "^(dm_crypt|dm_mod) " /proc/modules | cut -d" " -f1 | sort; ' +
        'test -c /dev/mapper/control && echo control; cryptsetup --version',
    );
    assert.match(out, /^dm_crypt$/m);
    assert.match(out, /^control$/m);
    assert.match(out, /^cryptsetup 2\./m);
  });

  it(
    'preflight → partition → mount → hardware-config: a LUKS2 root, open, ext4 inside, mounted at /mnt',
    { timeout: 30 * MIN },
    async () => {
      const steps = firstSteps();
      const run = runner(
        'first',
        steps,
        newInstallState(
          options(),
          steps.map((s) => s.id),
        ),
        PASSPHRASE,
      );
      const state = await phases.run('first four steps', () => run.runner.run());
      for (const st of state.steps) assert.equal(st.status, 'done', `${st.id}: ${st.error ?? ''}`);
      assert.equal(run.asked(), 1, 'the passphrase was asked for once');
      firstState = JSON.parse(JSON.stringify(store.load(state.id))) as InstallState;

      // The commands the engine ran, the passphrase on none of their command lines nor shown as their input.
      const part = commands(run, 'partition');
      assert.ok(
        part.includes(`cryptsetup luksFormat --batch-mode --type luks2 --key-file=- ${ROOT_PART}`),
        part.join('\n'),
      );
      assert.ok(part.includes(`cryptsetup open --key-file=- ${ROOT_PART} ${MAPPING}`), part.join('\n'));
      assert.ok(part.includes(`mkfs.ext4 -F -L nixos /dev/mapper/${MAPPING}`), part.join('\n'));
      for (const e of run.events)
        if (e.event.kind === 'command' && e.event.command.argv[0] === 'cryptsetup')
          assert.equal(e.event.command.stdin, undefined, 'the review shows no stdin for cryptsetup');
      const outputs = state.steps.find((s) => s.id === 'partition')!.outputs as PartitionOutputs;
      assert.equal(outputs.devices.root, ROOT_PART);
      assert.equal(outputs.rootFsDevice, `/dev/mapper/${MAPPING}`);

      // On the VM: LUKS2 on the partition, the mapping open on it, ext4 inside, mounted at /mnt.
      const luks = await blkid(ROOT_PART);
      assert.equal(luks.ID_FS_TYPE, 'crypto_LUKS', JSON.stringify(luks));
      assert.equal(luks.ID_FS_VERSION, '2');
      const status = await vmOk('cryptsetup status "$1"', [MAPPING]);
      assert.match(status, new RegExp(`^/dev/mapper/${MAPPING} is active and is in use\\.$`, 'm'));
      assert.match(status, /^\s+type:\s+LUKS2$/m);
      const [partNode, dmNode] = (await vmOk('readlink -f "$1" "$2"', [ROOT_PART, `/dev/mapper/${MAPPING}`]))
        .trim()
        .split('\n');
      assert.match(status, new RegExp(`^\\s+device:\\s+${partNode}$`, 'm'));
      const ext4 = await blkid(`/dev/mapper/${MAPPING}`);
      assert.equal(ext4.ID_FS_TYPE, 'ext4', JSON.stringify(ext4));
      assert.equal(ext4.ID_FS_LABEL, 'nixos');
      assert.equal(
        (await vmOk('findmnt -n -o SOURCE,FSTYPE --mountpoint /mnt')).trim(),
        `/dev/mapper/${MAPPING} ext4`,
      );
      assert.equal((await vmOk('findmnt -n -o FSTYPE --mountpoint /mnt/boot')).trim(), 'vfat');
      // No shell ever evaluated the passphrase.
      assert.equal((await vmSh('ls /tmp/nixkit-pwned /tmp/nixkit-pwned2')).code, 2);

      // hardware-configuration.nix: what nixos-generate-config writes for ext4 on an open LUKS mapping — the
      // filesystem by its own UUID, the container to unlock by its UUID, right after fileSystems."/".
      const hw = (state.steps.find((s) => s.id === 'hardware-config')!.outputs as HardwareConfigOutputs).file;
      assert.equal(hw, path.join(flake, 'hosts', 'nixkit-vm', 'hardware-configuration.nix'));
      const text = fs.readFileSync(hw, 'utf8');
      diag(`hardware-configuration.nix:\n${text}`);
      const rootBlock =
        `  fileSystems."/" =\n    { device = "/dev/disk/by-uuid/${ext4.ID_FS_UUID}";\n` +
        `      fsType = "ext4";\n    };\n\n`;
      const luksLine = `  boot.initrd.luks.devices."${MAPPING}".device = "/dev/disk/by-uuid/${luks.ID_FS_UUID}";\n`;
      assert.ok(text.includes(rootBlock + luksLine), 'fileSystems."/" by UUID, then the LUKS device');
      assert.equal(text.split('boot.initrd.luks.devices').length, 2, 'one LUKS device');
      assert.ok(text.indexOf(luksLine) < text.indexOf('  fileSystems."/boot"'));
      // Both by-uuid paths exist on the target and lead to the container and to the mapping.
      assert.deepEqual(
        (
          await vmOk('readlink -f "$1" "$2"', [
            `/dev/disk/by-uuid/${luks.ID_FS_UUID}`,
            `/dev/disk/by-uuid/${ext4.ID_FS_UUID}`,
          ])
        )
          .trim()
          .split('\n'),
        [partNode, dmNode],
      );
    },
  );

  it(
    'finish (no reboot) unmounts and closes the mapping; the container opens with exactly the passphrase, nothing else',
    { timeout: 20 * MIN },
    async () => {
      assert.ok(firstState, 'the first four steps ran');
      const run = runner('finish', [...firstSteps(), finishStep], copyOfFirstState(), PASSPHRASE);
      const state = await phases.run('resume to finish (no reboot)', () => run.runner.run());
      for (const st of state.steps) assert.equal(st.status, 'done', `${st.id}: ${st.error ?? ''}`);
      assert.equal(run.asked(), 0, 'the mapping was open: no passphrase needed');
      const fin = state.steps.find((s) => s.id === 'finish')!.outputs as FinishOutputs;
      assert.equal(fin.unmounted, true);
      assert.equal(fin.rebooted, false);
      const unmount = commands(run, 'finish').find((c) => c.includes('nixkit-unmount'));
      assert.ok(unmount?.endsWith(`nixkit-unmount /mnt luks:${MAPPING}`), unmount);

      assert.equal((await vmSh('test -e "/dev/mapper/$1"', [MAPPING])).code, 1, 'the mapping is gone');
      assert.notEqual((await vmSh('cryptsetup status "$1"', [MAPPING])).code, 0);
      assert.equal((await vmSh('findmnt --mountpoint /mnt')).code, 1, 'nothing is mounted at /mnt');
      assert.equal((await blkid(ROOT_PART)).ID_FS_TYPE, 'crypto_LUKS');

      // The key is the passphrase's bytes, no more (--key-file=- reads stdin as it is, a newline would count).
      const test = (stdin: string) =>
        vmSh('cryptsetup open --test-passphrase --key-file=- "$1"', [ROOT_PART], stdin);
      assert.equal((await test(PASSPHRASE)).code, 0, 'the passphrase opens the container');
      for (const wrong of [PASSPHRASE + '\n', PASSPHRASE.replace(/\\/g, ''), 'wrong'])
        assert.equal((await test(wrong)).code, 2, `${JSON.stringify(wrong)} does not open it`);
      // And a real open: the same ext4 inside.
      await vmOk('cryptsetup open --key-file=- "$1" nkcheck', [ROOT_PART], PASSPHRASE);
      try {
        assert.equal((await blkid('/dev/mapper/nkcheck')).ID_FS_TYPE, 'ext4');
      } finally {
        await vmOk('cryptsetup close nkcheck');
      }
    },
  );

  it(
    'resume with the mapping closed and no passphrase given: stops at partition, erases nothing',
    { timeout: 15 * MIN },
    async () => {
      assert.ok(firstState, 'the first four steps ran');
      const uuid = (await blkid(ROOT_PART)).ID_FS_UUID;
      const run = runner('no-passphrase', [...firstSteps(), finishStep], copyOfFirstState(), undefined);
      await assert.rejects(
        phases.run('resume without a passphrase', () => run.runner.run()),
        (e: unknown) => e instanceof InstallFailedError && e.stepId === 'partition' && !e.cancelled,
      );
      assert.ok(run.asked() >= 1, 'the passphrase was asked for');
      const cmds = commands(run);
      assert.ok(
        !cmds.some((c) => /^(wipefs|sfdisk --wipe|mkfs|cryptsetup luksFormat)/.test(c)),
        cmds.join('\n'),
      );
      assert.equal((await blkid(ROOT_PART)).ID_FS_UUID, uuid, 'the same LUKS container');
      assert.equal((await vmSh('test -e "/dev/mapper/$1"', [MAPPING])).code, 1);
    },
  );

  it(
    'resume with the mapping closed and a mistyped passphrase: stops at partition, erases nothing',
    { timeout: 15 * MIN },
    async () => {
      assert.ok(firstState, 'the first four steps ran');
      const uuid = (await blkid(ROOT_PART)).ID_FS_UUID;
      const run = runner('typo', [...firstSteps(), finishStep], copyOfFirstState(), TYPO);
      const error = await phases.run('resume with a mistyped passphrase', () =>
        run.runner.run().then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      assert.ok(error instanceof InstallFailedError, String(error));
      assert.equal(error.stepId, 'partition');
      assert.match(
        error.message,
        new RegExp(
          `the passphrase does not open the encrypted root ${ROOT_PART} this install made earlier; nothing was erased`,
        ),
      );
      const cmds = commands(run);
      assert.deepEqual(
        cmds.filter((c) => c.startsWith('cryptsetup')),
        [
          `cryptsetup open --key-file=- ${ROOT_PART} ${MAPPING}`,
          `cryptsetup open --test-passphrase --key-file=- ${ROOT_PART}`,
        ],
        'verify tried to unlock, then the step run checked the passphrase, and went no further',
      );
      assert.ok(!cmds.some((c) => /^(wipefs|sfdisk --wipe|mkfs)/.test(c)), cmds.join('\n'));
      assert.equal((await blkid(ROOT_PART)).ID_FS_UUID, uuid, 'the same LUKS container');
      const test = (stdin: string) =>
        vmSh('cryptsetup open --test-passphrase --key-file=- "$1"', [ROOT_PART], stdin);
      assert.equal((await test(PASSPHRASE)).code, 0, 'the passphrase the install began with still opens it');
      assert.equal((await test(TYPO)).code, 2);
      assert.equal((await vmSh('test -e "/dev/mapper/$1"', [MAPPING])).code, 1);
    },
  );

  it(
    'resume with the mapping closed: partition verify reopens it with the passphrase, mount runs again',
    { timeout: 20 * MIN },
    async () => {
      assert.ok(firstState, 'the first four steps ran');
      const uuid = (await blkid(ROOT_PART)).ID_FS_UUID;
      // What the target looked like when finish began (the mapping and /mnt, before it unmounts them).
      let before = '';
      const finishAfterLook: Step = {
        ...finishStep,
        run: async (ctx) => {
          const r = await ctx.session.execAsRoot(
            [
              'sh',
              '-c',
              'findmnt -n -o SOURCE,FSTYPE --mountpoint /mnt; cryptsetup status "$1" | head -n 1',
              'sh',
              MAPPING,
            ],
            { timeoutMs: 2 * MIN },
          );
          before = r.stdout.toString();
          return finishStep.run(ctx);
        },
      };
      const run = runner('resume', [...firstSteps(), finishAfterLook], copyOfFirstState(), PASSPHRASE);
      const state = await phases.run('resume after the mapping was closed', () => run.runner.run());
      for (const st of state.steps) assert.equal(st.status, 'done', `${st.id}: ${st.error ?? ''}`);
      assert.equal(run.asked(), 1, 'the passphrase was asked for once');

      const notes = run.events.flatMap((e) =>
        e.event.kind === 'note' ? [`${e.step}: ${e.event.text}`] : [],
      );
      assert.ok(
        notes.includes('partition: Partition and format the disk: finished earlier, still in place'),
        notes.join('\n'),
      );
      assert.ok(
        notes.some((n) =>
          n.startsWith('mount: Mount the filesystems: finished earlier but no longer in place'),
        ),
      );
      const cmds = commands(run);
      assert.ok(
        !cmds.some((c) => /^(wipefs|sfdisk --wipe|mkfs|cryptsetup luksFormat)/.test(c)),
        cmds.join('\n'),
      );
      assert.deepEqual(
        commands(run, 'partition').filter((c) => c.startsWith('cryptsetup')),
        [`cryptsetup open --key-file=- ${ROOT_PART} ${MAPPING}`],
      );
      assert.ok(
        commands(run, 'mount').includes(`mount -t ext4 /dev/mapper/${MAPPING} /mnt`),
        cmds.join('\n'),
      );
      assert.match(
        before,
        new RegExp(`^/dev/mapper/${MAPPING} ext4\n/dev/mapper/${MAPPING} is active and is in use\\.\n$`),
      );
      assert.equal((await blkid(ROOT_PART)).ID_FS_UUID, uuid, 'the same LUKS container');
      assert.equal((await vmSh('test -e "/dev/mapper/$1"', [MAPPING])).code, 1, 'finish closed it again');
      assert.equal((await vmSh('findmnt --mountpoint /mnt')).code, 1);
    },
  );

  it('the passphrase is in no event, transcript, state or flake file', () => {
    assert.ok(allEvents.length > 0);
    const events = JSON.stringify(allEvents);
    assert.ok(!events.includes(MARK), 'an event holds the passphrase');
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }))
        if (e.isDirectory()) walk(path.join(d, e.name));
        else files.push(path.join(d, e.name));
    };
    walk(store.dir);
    walk(flake);
    assert.ok(
      files.some((f) => f.endsWith('.log')) && files.some((f) => f.endsWith('.json')),
      files.join('\n'),
    );
    for (const f of files)
      assert.ok(!fs.readFileSync(f, 'latin1').includes(MARK), `${f} holds the passphrase`);
  });
});
