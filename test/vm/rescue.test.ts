// The VM tier's rescue: a host that does not come back, and the way back, with the real CLI.
//
// 1. `nixkit install` puts generation 1 of the VM closure (test/targets/vm-closure) onto the VM's blank disk, then
//    a second `nixkit install` (onto what is mounted at /mnt) adds generation 2 (test/targets/vm-rescue/netfail.nix):
//    the same system, but its stage 2 looks for the interface enp3s0, does not find it, writes why to
//    /var/log/stage-2.log on the installed root, and powers off without ever bringing the network up.
// 2. The disk boots alone (fresh firmware variables): systemd-boot's default is generation 2, whose stage 2 fails.
// 3. The VM boots into its rescue system again, with the installed disk as it is (`vm.sh start --keep-target`).
//    `nixkit rescue` finds the installed system through the configuration's fileSystems, mounts it read-only and
//    shows the reason from the log, the generations and the default entry; `--rollback 1 --yes` makes generation 1
//    the default boot entry (and the system profile's).
// 4. The disk boots alone again, and generation 1's own init prints its marker on the serial console.
//
// Root only (qemu). `node scripts/build.mjs` first (dist/cli.js). Every VM is stopped whatever happens. Timings go
// to test-results/vm-rescue.json, the serial logs of the disk boots to test-results/vm-rescue-serial-*.log.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StateStore } from '../../engine/install/state-store';
import type { InstallOutputs } from '../../engine/install/steps/install';
import { CLI, REPO_ROOT } from '../helpers';
import { writeFlake } from '../unit/install/fixtures';
import {
  MIN,
  Phases,
  RESULTS,
  VM_TARGET_DISK as TARGET_DISK,
  Vm,
  buildVmClosure,
  diag,
  runCli as cli,
  vmInstall,
  writeVmSeams,
  type LiveVm,
  type VmClosure,
} from './vm-harness';

const NETFAIL_NIX = path.join(REPO_ROOT, 'test', 'targets', 'vm-rescue', 'netfail.nix');
const MARKER = 'NIXKIT-INSTALLED-SYSTEM-BOOTED';
const NETFAIL = 'NIXKIT-STAGE2-NETWORK-FAILED';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

const phases = new Phases();
const phase = <T>(name: string, fn: () => Promise<T> | T) => phases.run(name, fn);

let dir = '';
let vmState = '';
let vmHandle: Vm;
const vm = (args: string[], timeoutMs: number) => vmHandle.sh(args, timeoutMs);
let closure: VmClosure;
let live: LiveVm;
let flake = '';
let gen2 = '';
let boots = 0;

before(
  async () => {
    assert.equal(process.getuid?.(), 0, 'the VM tier runs as root');
    assert.ok(fs.existsSync(CLI), `${CLI} is missing: run node scripts/build.mjs first`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nixkit-vm-rescue-'));
    vmState = path.join(dir, 'vm');
    vmHandle = new Vm(vmState);
    closure = await buildVmClosure(phases);
    live = await vmHandle.startLive(phases, path.join(dir, 'known_hosts'));
  },
  { timeout: 45 * MIN },
);

after(
  () => {
    vmHandle?.clean();
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(
      path.join(RESULTS, 'vm-rescue.json'),
      JSON.stringify({ phases: phases.list, generation1: closure?.toplevel, generation2: gen2 }, null, 2) +
        '\n',
    );
    diag('phases: ' + phases.summary());
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  },
  { timeout: 2 * MIN },
);

/** Boots the target disk alone with fresh firmware variables and waits for the installed system's last word. */
async function bootDisk(what: string): Promise<{ matched: string; serial: string[] }> {
  await phase('VM: stop', () => vm(['stop'], 60_000));
  const vars = path.join(dir, `fresh-vars-${++boots}.fd`);
  fs.copyFileSync(OVMF_VARS, vars);
  await phase(`disk VM ${boots}: launch`, () => vm(['boot-disk', '--vars', vars], 60_000));
  const matched = await phase(`disk VM ${boots}: ${what}`, () =>
    vm(
      [
        'wait-serial',
        `${MARKER}|${NETFAIL}|NIXKIT-STAGE[12]-FAILED`,
        process.env.NIXKIT_VM_SERIAL_DEADLINE ?? '420',
      ],
      8 * MIN,
    ),
  );
  // eslint-disable-next-line no-control-regex
  const ansi = /\x1b\[[0-9;=?]*[A-Za-z]/g;
  const log = fs.readFileSync(path.join(vmState, 'serial.log'), 'latin1');
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, `vm-rescue-serial-${boots}.log`), log);
  const serial = log.replace(/\r/g, '').replace(ansi, '').split('\n');
  diag(
    `serial console of disk boot ${boots}:\n  ` +
      serial.filter((l) => /Command line:|NIXKIT-|nixkit stage/.test(l)).join('\n  '),
  );
  await phase(`disk VM ${boots}: powers itself off`, async () => {
    const deadline = Date.now() + 2 * MIN;
    while (vmHandle.running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000));
  });
  return { matched, serial };
}

function rescueArgs(l: LiveVm, more: string[]): string[] {
  return [
    'rescue',
    'root@127.0.0.1',
    '--port',
    String(l.port),
    '--identity',
    l.key,
    '--known-hosts',
    l.knownHosts,
    '--flake',
    `${flake}#nixkit-vm`,
    ...more,
  ];
}

function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: path.join(dir, 'home'),
    XDG_STATE_HOME: path.join(dir, 'state'),
  };
  delete env.SSH_AUTH_SOCK;
  return env;
}

describe('VM rescue: a generation that never brings the network up, found and rolled back from the rescue system', () => {
  it(
    'installs generation 1 onto the blank disk, then generation 2 whose stage 2 fails the network',
    { timeout: 40 * MIN },
    async () => {
      flake = writeFlake(path.join(dir, 'flake'), 'nixkit-vm');
      const layout = path.join(dir, 'layout.json');
      fs.writeFileSync(layout, JSON.stringify({ espSizeMiB: 256, rootFs: 'ext4' }));
      const first = vmInstall(
        {
          live,
          flake,
          stateDir: path.join(dir, 'installs-1'),
          seams: writeVmSeams(path.join(dir, 'seams-1.json'), closure),
          home: path.join(dir, 'home'),
        },
        [
          '--disk',
          TARGET_DISK,
          '--layout',
          layout,
          '--yes',
          '--confirm-disk',
          TARGET_DISK,
          '--strategy',
          'no-nix',
        ],
      );
      const r1 = await phase('install generation 1 (nixkit install, whole disk)', () =>
        cli(first.args, first.env, 28 * MIN),
      );
      assert.equal(r1.code, 0, `generation 1: ${r1.stderr.slice(-4000)}`);

      // Generation 2 onto what is mounted at /mnt: the same install, its build the netfail variant.
      await phase('live VM: mount the installed system at /mnt', () =>
        vm(['ssh', 'mount /dev/disk/by-label/nixos /mnt && mount /dev/disk/by-label/ESP /mnt/boot'], 60_000),
      );
      const seams2 = path.join(dir, 'seams-2.json');
      fs.writeFileSync(
        seams2,
        JSON.stringify({
          buildExpr: { file: NETFAIL_NIX, arg: { inputs: closure.inputs } },
          localNix: { store: closure.store, env: closure.env },
          fuseVfatFallback: false,
        }),
      );
      const stateDir2 = path.join(dir, 'installs-2');
      const second = vmInstall(
        { live, flake, stateDir: stateDir2, seams: seams2, home: path.join(dir, 'home') },
        ['--strategy', 'no-nix'],
      );
      const r2 = await phase('install generation 2 (nixkit install onto /mnt)', () =>
        cli(second.args, second.env, 20 * MIN),
      );
      assert.equal(r2.code, 0, `generation 2: ${r2.stdout.slice(-3000)}\n${r2.stderr.slice(-4000)}`);
      const state2 = new StateStore(stateDir2).list()[0];
      const install2 = state2.steps.find((s) => s.id === 'install')?.outputs as InstallOutputs;
      assert.equal(install2.generation, 2);
      gen2 = install2.toplevel;
      assert.match(gen2, /-nixos-system-nixkit-vm-24\.05-netfail$/);
      await vm(['ssh', 'umount -R /mnt 2>/dev/null; sync; true'], 60_000);
    },
  );

  it(
    'boots the disk: generation 2 is the default, and its network never comes up',
    { timeout: 15 * MIN },
    async () => {
      assert.ok(gen2, 'generation 2 was not installed');
      const { matched, serial } = await bootDisk(
        'systemd-boot → generation 2 → stage 2 gives up on the network',
      );
      assert.match(matched, new RegExp(NETFAIL), `expected the network failure, got: ${matched}`);
      assert.ok(
        serial.some((l) => l.includes(`init=${gen2}/init`)),
        'systemd-boot started generation 2',
      );
      assert.ok(!serial.some((l) => l.includes(MARKER)), 'generation 2 must not reach the marker');
    },
  );

  it(
    'from the rescue system, nixkit rescue shows why and the generations, and rolls back to generation 1',
    { timeout: 20 * MIN },
    async () => {
      assert.ok(gen2, 'generation 2 was not installed');
      await phase('VM: stop', () => vm(['stop'], 60_000));
      live = await vmHandle.startLive(phases, path.join(dir, 'known_hosts-rescue'), ['--keep-target']);
      // The configuration names the interface it expected (the rescue checks the log for it).
      const conf = path.join(flake, 'hosts', 'nixkit-vm', 'configuration.nix');
      fs.writeFileSync(
        conf,
        fs
          .readFileSync(conf, 'utf8')
          .replace(/\}\s*$/, '  networking.interfaces.enp3s0.useDHCP = true;\n}\n'),
      );

      const diagnosis = await phase('nixkit rescue (diagnosis)', () =>
        cli(rescueArgs(live, []), cliEnv(), 10 * MIN),
      );
      diag('nixkit rescue, stdout:\n  ' + diagnosis.stdout.trimEnd().slice(-8000).replace(/\n/g, '\n  '));
      assert.equal(diagnosis.code, 0, diagnosis.stderr.slice(-3000));
      const out = diagnosis.stdout;
      assert.match(out, /found through the configuration's fileSystems\."\/" \(\S+ is \/dev\/vd/);
      assert.match(out, /stage 2: error: interface enp3s0 does not exist/);
      assert.match(out, new RegExp(`^\\s+1\\s.*${closure.toplevel.replace(/[.]/g, '\\.')}\\s*$`, 'm'));
      assert.match(out, /^\s+2\s.*-netfail\s+\[current profile, DEFAULT BOOT ENTRY, booted last\]/m);
      assert.match(out, /\* nixos-generation-2\.conf/);
      assert.match(out, /enp3s0: DID NOT EXIST/);

      const rollback = await phase('nixkit rescue --rollback 1', () =>
        cli(rescueArgs(live, ['--rollback', '1', '--yes']), cliEnv(), 10 * MIN),
      );
      diag(
        'nixkit rescue --rollback 1, stdout:\n  ' +
          rollback.stdout.trimEnd().slice(-3000).replace(/\n/g, '\n  '),
      );
      assert.equal(rollback.code, 0, rollback.stderr.slice(-3000));
      assert.match(
        rollback.stdout,
        /default nixos-generation-2\.conf → nixos-generation-1\.conf \(generation 1\)/,
      );
      assert.match(rollback.stdout, /done: Roll back/);
    },
  );

  it('boots the disk: generation 1 on its own', { timeout: 15 * MIN }, async () => {
    const { matched, serial } = await bootDisk('systemd-boot → generation 1 → its init prints the marker');
    assert.doesNotMatch(matched, /FAILED/, `generation 1 did not boot: ${matched}`);
    const expect = `${MARKER} generation=1 system=${closure.toplevel}`;
    assert.ok(
      serial.some((l) => l.trim() === expect),
      `no "${expect}" on the serial console`,
    );
  });
});
