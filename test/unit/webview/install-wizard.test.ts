// The install wizard: its protocol messages and guards (protocol/webview-messages.ts), the page logic both sides apply (which
// pages are reachable, the disk-confirmation gate), the review's plan rendering (hostile disk names and labels end up
// as text, verbatim), and the extension's view model (extension/panels/install-wizard-model.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigurationFacts, InstallState } from '../../../protocol/install-state';
import { describePlan } from '../../../engine/install/runner';
import { newInstallState } from '../../../engine/install/state-store';
import { installSteps } from '../../../engine/install/steps';
import { shJoin } from '../../../engine/ssh/quote';
import {
  buildOptions,
  diskChoices,
  networkView,
  diskProblems,
  engineGap,
  freshWizard,
  installView,
  layoutFromView,
  loadWizard,
  planView,
  REQUIRED_STEPS,
  strategyViews,
} from '../../../extension/panels/install-wizard-model';
import { toProbeView } from '../../../extension/panels/probe-view';
import {
  FROM_WEBVIEW_GUARDS,
  TO_WEBVIEW_GUARDS,
  diskConfirmed,
  isFromWebview,
  isToWebview,
  isWizardView,
  reachablePages,
  type FromWebview,
  type WizardConfigurationView,
  type WizardView,
} from '../../../protocol/webview-messages';
import {
  installGate,
  navigation,
  nextPage,
  planNodes,
  previousPage,
  textOf,
  type VNode,
} from '../../../webview/install-wizard-view';
import { HOSTILE, hostileReport } from './fixture';

/** A disk name as hostile as a by-id link can be: quotes, $(), backticks, a semicolon. */
const HOSTILE_DISK = `/dev/disk/by-id/nk-'"$(touch /tmp/pwned)\`id\`;x`;

function report() {
  const r = hostileReport();
  // A second disk, free and named hostilely; the first one holds the running system.
  const free = JSON.parse(JSON.stringify(r.disks[0])) as (typeof r.disks)[number];
  free.name = 'sdb';
  free.path = '/dev/sdb';
  free.byId = [HOSTILE_DISK.slice('/dev/disk/by-id/'.length)];
  free.partitions.forEach((p) => (p.mountpoints = []));
  r.disks[0].liveSystem = true;
  r.disks.push(free);
  const bare = JSON.parse(JSON.stringify(free)) as typeof free;
  bare.name = 'loop3';
  bare.path = '/dev/loop3';
  bare.byId = [];
  r.disks.push(bare);
  return r;
}

const CONFIG: WizardConfigurationView = {
  id: '/work/flake#demo',
  name: 'demo',
  flake: '/work/flake',
  bootloader: 'systemd-boot',
  efiSysMountPoint: '/boot',
  errors: 0,
  warnings: 1,
  findings: [{ severity: 'warning', message: HOSTILE, where: 'flake.nix:3' }],
};

function baseView(over: Partial<WizardView> = {}): WizardView {
  const r = report();
  return {
    page: 'target',
    busy: null,
    error: null,
    target: 'root@rescue',
    recentTargets: [],
    probe: toProbeView(r, 'root@rescue'),
    disks: diskChoices(r),
    disk: HOSTILE_DISK,
    useMounted: false,
    root: '/mnt',
    layout: { espSizeMiB: 512, rootFs: 'ext4', swapSizeMiB: 0, subvolumes: false, luks: false },
    configurations: [CONFIG],
    configuration: CONFIG.id,
    strategies: [],
    strategy: null,
    autoStrategy: 'no-nix',
    buildOn: 'local',
    reboot: true,
    kexecImage: null,
    network: networkView(report(), undefined),
    networkMode: 'dhcp',
    networkStyle: null,
    proxy: null,
    plan: null,
    planError: null,
    install: null,
    ...over,
  };
}

function planFor(disk: string, labels?: { esp?: string; root?: string; swap?: string }) {
  const state = newInstallState(
    {
      flake: '/work/flake',
      configuration: 'demo',
      target: 'root@rescue',
      buildOn: 'local',
      root: '/mnt',
      reboot: true,
      disk,
      layout: { espSizeMiB: 512, rootFs: 'btrfs', swapSizeMiB: 1024, labels },
    },
    installSteps().map((s) => s.id),
  );
  return { state, plan: planView(describePlan(installSteps(), state)) };
}

function allStrings(n: VNode | string, out: string[] = []): string[] {
  if (typeof n === 'string') out.push(n);
  else n.children.forEach((c) => allStrings(c, out));
  return out;
}

function allAttrs(n: VNode | string, out: string[] = []): string[] {
  if (typeof n === 'string') return out;
  out.push(...Object.entries(n.attrs).map(([k, val]) => `${k}=${String(val)}`));
  n.children.forEach((c) => allAttrs(c, out));
  return out;
}

describe('install wizard protocol', () => {
  const layout = { espSizeMiB: 512, rootFs: 'ext4' as const, swapSizeMiB: 0, subvolumes: false, luks: false };
  const valid: FromWebview[] = [
    { type: 'wizard/connect', target: 'root@192.0.2.1' },
    { type: 'wizard/goto', page: 'review' },
    { type: 'wizard/setDisk', disk: HOSTILE_DISK, useMounted: false, layout },
    { type: 'wizard/setDisk', disk: null, useMounted: true, layout },
    { type: 'wizard/setConfiguration', id: CONFIG.id },
    { type: 'wizard/refreshConfigurations' },
    { type: 'wizard/setStrategy', strategy: null, buildOn: 'local', reboot: true },
    { type: 'wizard/setStrategy', strategy: 'no-nix', buildOn: 'target', reboot: false },
    {
      type: 'wizard/setNetwork',
      mode: 'static',
      style: null,
      proxy: 'http://u@proxy:3128',
      proxyPassword: 'pw',
      noProxy: 'localhost',
      proxyInConfig: true,
    },
    {
      type: 'wizard/setNetwork',
      mode: 'none',
      style: 'networkd',
      proxy: '',
      proxyPassword: '',
      noProxy: '',
      proxyInConfig: false,
    },
    { type: 'wizard/pickKexecImage' },
    { type: 'wizard/install', confirmedDisk: HOSTILE_DISK },
    { type: 'wizard/install', confirmedDisk: null },
    { type: 'wizard/cancel' },
    { type: 'wizard/resume', confirmedDisk: null },
    { type: 'wizard/resume', confirmedDisk: HOSTILE_DISK },
    { type: 'wizard/startOver' },
    { type: 'wizard/openTranscript' },
  ];

  it('accepts every wizard message in its shape, and has an example of each', () => {
    for (const m of valid) assert.ok(isFromWebview(m), JSON.stringify(m));
    const wizardTypes = (guards: object) => Object.keys(guards).filter((k) => k.startsWith('wizard/'));
    assert.deepEqual(wizardTypes(FROM_WEBVIEW_GUARDS).sort(), [...new Set(valid.map((m) => m.type))].sort());
    assert.deepEqual(wizardTypes(TO_WEBVIEW_GUARDS).sort(), ['wizard/log', 'wizard/progress', 'wizard/show']);
  });

  it('rejects extra fields, unknown pages and strategies, wrong types', () => {
    const bad: unknown[] = [
      { type: 'wizard/connect', target: 'x', extra: 1 },
      { type: 'wizard/connect' },
      { type: 'wizard/goto', page: 'nowhere' },
      { type: 'wizard/setStrategy', strategy: 'rm -rf', buildOn: 'local', reboot: true },
      { type: 'wizard/setStrategy', strategy: null, buildOn: { host: 'x' }, reboot: true },
      { type: 'wizard/setDisk', disk: 1, useMounted: false, layout },
      { type: 'wizard/setDisk', disk: null, useMounted: true, layout: { ...layout, rootFs: 'zfs' } },
      { type: 'wizard/setDisk', disk: null, useMounted: true, layout: { ...layout, espSizeMiB: NaN } },
      { type: 'wizard/install' },
      { type: 'wizard/install', confirmedDisk: ['a'] },
      { type: 'wizard/resume' },
      { type: 'wizard/resume', confirmedDisk: 1 },
      { type: 'wizard/cancel', now: true },
      {
        type: 'wizard/setNetwork',
        mode: 'both',
        style: null,
        proxy: '',
        proxyPassword: '',
        noProxy: '',
        proxyInConfig: false,
      },
      {
        type: 'wizard/setNetwork',
        mode: 'dhcp',
        style: 'wicked',
        proxy: '',
        noProxy: '',
        proxyInConfig: false,
      },
      {
        type: 'wizard/setNetwork',
        mode: 'dhcp',
        style: null,
        proxy: 'x'.repeat(5000),
        noProxy: '',
        proxyInConfig: false,
      },
      {
        type: 'wizard/setNetwork',
        mode: 'dhcp',
        style: null,
        proxy: '',
        proxyPassword: '',
        noProxy: '',
        proxyInConfig: 'yes',
      },
      { type: 'wizard/setNetwork', mode: 'dhcp', style: null, proxy: '', proxyPassword: '', noProxy: '' },
      {
        type: 'wizard/setNetwork',
        mode: 'dhcp',
        style: null,
        proxy: '',
        proxyPassword: 'x'.repeat(2000),
        noProxy: '',
        proxyInConfig: false,
      },
      { type: 'wizard/show', view: baseView() }, // extension → page only
    ];
    for (const m of bad) assert.ok(!isFromWebview(m), JSON.stringify(m));
  });

  it('checks the whole view the extension sends, hostile strings included', () => {
    const { plan } = planFor(HOSTILE_DISK);
    const v = baseView({ page: 'review', plan });
    assert.ok(isWizardView(v));
    assert.ok(isToWebview({ type: 'wizard/show', view: v }));
    assert.ok(isToWebview({ type: 'wizard/log', lines: [HOSTILE] }));
    assert.ok(
      isToWebview({
        type: 'wizard/progress',
        progress: { step: 'copy', done: 10, total: 100, unit: 'bytes', detail: null },
      }),
    );
    assert.ok(!isToWebview({ type: 'wizard/show', view: { ...v, injected: '<script>' } }));
    assert.ok(!isToWebview({ type: 'wizard/show', view: { ...v, page: 'elsewhere' } }));
    assert.ok(!isToWebview({ type: 'wizard/log', lines: 'one line' }));
    assert.ok(
      !isToWebview({
        type: 'wizard/progress',
        progress: { step: 'copy', done: Infinity, total: null, unit: 'bytes', detail: null },
      }),
    );
  });
});

describe('install wizard pages', () => {
  it('reaches only the target page before a probe', () => {
    assert.deepEqual(reachablePages(baseView({ probe: null, disks: [] })), ['target']);
  });

  it('needs a free disk (or "use what is mounted") for the configuration page', () => {
    const live = diskChoices(report())[0];
    assert.ok(live.blocked);
    assert.deepEqual(reachablePages(baseView({ disk: live.names[0] })), ['target', 'probe', 'disk']);
    assert.deepEqual(reachablePages(baseView({ disk: null })), ['target', 'probe', 'disk']);
    assert.ok(reachablePages(baseView({ disk: null, useMounted: true })).includes('configuration'));
    assert.ok(reachablePages(baseView({ disk: '/dev/disk/by-id/other' })).length === 3);
  });

  it('blocks the strategy page while the configuration has errors', () => {
    const broken = { ...CONFIG, errors: 2 };
    assert.deepEqual(reachablePages(baseView({ configurations: [broken] })), [
      'target',
      'probe',
      'disk',
      'configuration',
    ]);
    assert.ok(reachablePages(baseView()).includes('strategy'));
  });

  it('reaches the review with a possible strategy and a plan', () => {
    const strategies = strategyViews(report(), { disk: HOSTILE_DISK, root: '/mnt' }).strategies;
    const { plan } = planFor(HOSTILE_DISK);
    assert.ok(!reachablePages(baseView({ strategies })).includes('review'), 'no plan yet');
    const v = baseView({ strategies, plan, page: 'strategy' });
    assert.ok(reachablePages(v).includes('review'));
    assert.equal(nextPage(v), 'network');
    assert.equal(nextPage({ ...v, page: 'network' }), 'review');
    assert.equal(previousPage({ ...v, page: 'review' }), 'network');
    assert.equal(previousPage(v), 'configuration');
    // A strategy whose preconditions fail (no installer on this target) is never the way to the review.
    assert.ok(!reachablePages({ ...v, strategy: 'nixos-installer' }).includes('review'));
    assert.deepEqual(
      navigation(v)
        .filter((n) => n.reachable)
        .map((n) => n.page),
      ['target', 'probe', 'disk', 'configuration', 'strategy', 'network', 'review'],
    );
  });

  it('shows only the run while an install exists, and the end once it is done', () => {
    const install = {
      id: 'x',
      status: 'running' as const,
      resumable: false,
      resumeReview: null,
      steps: [],
      error: null,
      transcript: '/t.log',
      verification: [],
      hostKey: null,
      nextSteps: [],
    };
    assert.deepEqual(reachablePages(baseView({ install })), ['run']);
    assert.deepEqual(reachablePages(baseView({ install: { ...install, status: 'done' } })), ['run', 'done']);
    assert.equal(previousPage(baseView({ install, page: 'run' })), null);
  });
});

describe('the disk confirmation', () => {
  const { plan } = planFor(HOSTILE_DISK);
  const v = baseView({ page: 'review', plan });

  it('enables Install only for the exact name', () => {
    assert.equal(installGate(v, '').enabled, false);
    assert.equal(installGate(v, HOSTILE_DISK.slice(0, -1)).enabled, false);
    assert.equal(installGate(v, HOSTILE_DISK + ' ').enabled, false);
    assert.match(installGate(v, ' ' + HOSTILE_DISK).hint, /exactly/);
    assert.equal(installGate(v, HOSTILE_DISK.toUpperCase()).enabled, false);
    assert.equal(installGate(v, '/dev/sdb').enabled, false, 'the kernel name is not the chosen name');
    assert.equal(installGate(v, HOSTILE_DISK).enabled, true);
    assert.ok(diskConfirmed(HOSTILE_DISK, HOSTILE_DISK));
    assert.ok(!diskConfirmed(HOSTILE_DISK, HOSTILE_DISK + '\n'));
  });

  it('needs no name when nothing is erased, and never runs a plan the engine cannot finish', () => {
    assert.equal(installGate({ ...v, useMounted: true, disk: null }, '').enabled, true);
    const gap = engineGap([{ id: 'preflight' }]);
    assert.ok(gap);
    assert.equal(installGate({ ...v, planError: gap }, HOSTILE_DISK).enabled, false);
    assert.equal(installGate({ ...v, busy: 'Connecting…' }, HOSTILE_DISK).enabled, false);
    assert.equal(installGate({ ...v, plan: null }, HOSTILE_DISK).enabled, false);
  });
});

describe('the review plan', () => {
  const labels = { esp: 'ESP', root: `r'$(id)\`x\``, swap: `s'$(rm)` };
  const { plan } = planFor(HOSTILE_DISK, labels);
  const nodes = planNodes(plan);
  const strings = allStrings(nodes);

  it('lists every command, the erasing ones marked, on the chosen disk', () => {
    const commands = plan.flatMap((s) => s.commands);
    const destructive = commands.filter((c) => c.destructive);
    assert.ok(destructive.length >= 3, 'wipefs, sfdisk and mkfs are destructive');
    assert.ok(destructive.some((c) => c.text.startsWith('wipefs --all ')));
    assert.ok(destructive.some((c) => c.text.startsWith('sfdisk ')));
    // Destructive commands carry the badge in the rendering; the others do not.
    const items: VNode[] = [];
    const walk = (n: VNode | string) => {
      if (typeof n === 'string') return;
      if (n.tag === 'li' && String(n.attrs.class).startsWith('command')) items.push(n);
      n.children.forEach(walk);
    };
    walk(nodes);
    assert.equal(items.length, commands.length);
    for (const li of items) {
      const marked = textOf(li).includes('ERASES DATA');
      assert.equal(marked, li.attrs['data-destructive'] === 'true');
    }
    assert.equal(items.filter((li) => textOf(li).includes('ERASES DATA')).length, destructive.length);
  });

  it('shows hostile disk names and labels verbatim, as text, exactly as they run', () => {
    const wipefs = plan.flatMap((s) => s.commands).find((c) => c.text.startsWith('wipefs'))!;
    assert.equal(wipefs.text, shJoin(['wipefs', '--all', HOSTILE_DISK]));
    assert.ok(strings.includes(wipefs.text), 'the command line is one text node');
    assert.ok(
      strings.some((s) => s.includes(labels.root)),
      'the root label is shown',
    );
    assert.ok(
      strings.some((s) => s.includes(labels.swap)),
      'the swap label is shown',
    );
    // Nothing from the plan reaches an attribute: attributes are the renderer's own.
    for (const a of allAttrs(nodes)) {
      assert.ok(!a.includes('$('), a);
      assert.ok(!a.includes(HOSTILE_DISK), a);
    }
    assert.ok(allAttrs(nodes).every((a) => !/^on/i.test(a)));
  });

  it('shortens long inline scripts but keeps the whole command one click away', () => {
    const probe = plan.find((s) => s.id === 'preflight')!.commands[0];
    assert.ok(probe.fullText !== null && probe.fullText.length > probe.text.length);
    assert.match(probe.text, /characters in all/);
    assert.ok(strings.includes(probe.fullText));
    for (const c of plan.flatMap((s) => s.commands))
      if (c.fullText === null) assert.doesNotMatch(c.text, / … \(/);
  });

  it('renders the partition table script (stdin) and the warning naming the disk verbatim', () => {
    const sfdisk = plan.flatMap((s) => s.commands).find((c) => c.text.startsWith('sfdisk'))!;
    assert.ok(sfdisk.stdin && strings.includes(sfdisk.stdin));
    assert.ok(strings.includes(`Everything on ${HOSTILE_DISK} is erased.`));
  });

  it('refuses event-handler attributes in its node builder', async () => {
    const { v } = await import('../../../webview/install-wizard-view');
    assert.throws(() => v('div', { onclick: 'x' }), /not allowed/);
  });
});

describe('install wizard model', () => {
  it('offers disks by /dev/disk/by-id, the live system shown but blocked, kernel names as a fallback', () => {
    const d = diskChoices(report());
    assert.equal(d[0].liveSystem, true);
    assert.match(d[0].blocked ?? '', /running system/);
    assert.deepEqual(d[0].names, ['/dev/disk/by-id/ata-DISK_1']);
    assert.deepEqual(d[1].names, [HOSTILE_DISK]);
    assert.equal(d[1].blocked, null);
    assert.ok(d[1].partitions[0].includes(HOSTILE), 'labels verbatim');
    assert.deepEqual(d[2].names, ['/dev/loop3']);
    assert.equal(d[2].stableNames, false);
    const mounted = hostileReport();
    assert.match(diskChoices(mounted)[0].blocked ?? '', /mounted at \/mnt/);
  });

  it('checks the disk page', () => {
    const disks = diskChoices(report());
    const layout = freshWizard().layout;
    assert.deepEqual(diskProblems({ disk: HOSTILE_DISK, useMounted: false, layout }, disks), []);
    assert.match(
      diskProblems({ disk: disks[0].names[0], useMounted: false, layout }, disks)[0],
      /cannot be erased/,
    );
    assert.match(diskProblems({ disk: '/dev/nope', useMounted: false, layout }, disks)[0], /not a disk/);
    assert.deepEqual(diskProblems({ disk: null, useMounted: true, layout }, disks), []);
    assert.match(
      diskProblems({ disk: HOSTILE_DISK, useMounted: false, layout: { ...layout, espSizeMiB: 1 } }, disks)[0],
      /ESP size/,
    );
  });

  it('turns the choices into install options', () => {
    const saved = {
      ...freshWizard(),
      target: 'root@rescue',
      disk: HOSTILE_DISK,
      strategy: 'no-nix' as const,
    };
    saved.layout = { espSizeMiB: 256, rootFs: 'btrfs', swapSizeMiB: 512, subvolumes: true, luks: true };
    const o = buildOptions(saved, CONFIG);
    assert.equal(o.disk, HOSTILE_DISK);
    assert.equal(o.confirmedDisk, undefined, 'the confirmation is only ever what was typed on the review');
    assert.equal(o.flake, '/work/flake');
    assert.equal(o.strategy, 'no-nix');
    assert.deepEqual(o.layout, layoutFromView(saved.layout));
    assert.deepEqual(o.layout?.subvolumes, { '@': '/', '@home': '/home', '@nix': '/nix' });
    assert.equal(o.layout?.luks?.name, 'cryptroot');
    const mounted = buildOptions({ ...saved, useMounted: true }, CONFIG);
    assert.equal(mounted.disk, undefined);
    assert.equal(mounted.layout, undefined);
    assert.equal(mounted.root, '/mnt');
    // In place: the running root itself; the kexec image only goes with the kexec strategy.
    const inPlace = buildOptions(
      { ...saved, useMounted: true, strategy: 'lustrate', kexecImage: '/img' },
      CONFIG,
    );
    assert.equal(inPlace.root, '/');
    assert.equal(inPlace.kexecImage, undefined);
    const kexec = buildOptions({ ...saved, strategy: 'kexec', kexecImage: '/home/me/nixos-kexec' }, CONFIG);
    assert.equal(kexec.kexecImage, '/home/me/nixos-kexec');
    assert.equal(kexec.root, '/mnt');
  });

  it('shows the target network and preselects keeping static addresses; the choice reaches the options', () => {
    const r = report();
    const nic = r.network.interfaces[0];
    nic.addresses = [
      { family: 'inet', address: '192.0.2.10', prefixLength: 24, scope: 'global', dynamic: false },
      { family: 'inet6', address: '2001:db8:1::10', prefixLength: 64, scope: 'global', dynamic: false },
      { family: 'inet6', address: 'fe80::1', prefixLength: 64, scope: 'link', dynamic: false },
    ];
    r.network.defaultRoutes = [
      { family: 'inet', gateway: '192.0.2.1', dev: 'eth0', proto: 'static' },
      { family: 'inet6', gateway: '2001:db8:ffff::1', dev: 'eth0', proto: 'static' },
    ];
    r.network.dns = ['192.0.2.53'];
    r.network.searchDomains = ['example.net'];
    r.network.domain = 'example.net';
    const n = networkView(r, undefined);
    assert.equal(n.suggested, 'static');
    assert.equal(n.defaultStyle, 'scripted');
    assert.equal(n.staticProblem, null);
    assert.deepEqual(n.interfaces[0], {
      name: 'eth0',
      nixosName: 'enp0s3',
      mac: '52:54:00:12:34:56',
      virtual: false,
      uplink: true,
      addresses: [
        { address: '192.0.2.10/24', dynamic: false },
        { address: '2001:db8:1::10/64', dynamic: false },
      ],
    });
    assert.deepEqual(
      n.routes.map((x) => [x.family, x.gateway, x.onLink]),
      [
        ['inet', '192.0.2.1', false],
        ['inet6', '2001:db8:ffff::1', true],
      ],
    );
    assert.equal(n.domain, 'example.net');
    // networkd in the configuration makes it the default style.
    assert.equal(networkView(r, { networkd: true } as ConfigurationFacts).defaultStyle, 'networkd');
    // A leased address: DHCP is suggested.
    const leased = JSON.parse(JSON.stringify(r)) as typeof r;
    leased.network.interfaces[0].addresses[0].dynamic = true;
    assert.equal(networkView(leased, undefined).suggested, 'dhcp');
    assert.ok(isWizardView(baseView({ network: n, networkMode: 'static' })), 'the view passes the guard');

    const saved = { ...freshWizard(), target: 'root@rescue', probe: r, useMounted: true };
    assert.equal(buildOptions(saved, CONFIG).network, 'static', 'unchosen: the suggestion');
    assert.equal(buildOptions({ ...saved, networkMode: 'none' }, CONFIG).network, undefined);
    const chosen = buildOptions(
      {
        ...saved,
        networkMode: 'dhcp',
        networkStyle: 'networkd',
        proxy: { url: 'http://u:***@p:3128', hasPassword: true, noProxy: ['localhost'] },
      },
      CONFIG,
    );
    assert.equal(chosen.network, 'dhcp');
    assert.equal(chosen.networkStyle, 'networkd');
    assert.deepEqual(chosen.proxy, { url: 'http://u:***@p:3128', hasPassword: true, noProxy: ['localhost'] });
  });

  it('judges lustrate with the running root and kexec with the chosen image', () => {
    const r = report();
    r.disks.find((d) => d.liveSystem)!.partitions[0].mountpoints = ['/'];
    const views = (kexecImage?: string) =>
      strategyViews(r, { disk: undefined, root: '/mnt', kexecImage }).strategies;
    const lustrate = views().find((s) => s.name === 'lustrate')!;
    assert.ok(!lustrate.reasons.some((x) => /root must be \//.test(x)), lustrate.reasons.join('; '));
    assert.ok(
      views()
        .find((s) => s.name === 'kexec')!
        .reasons.some((x) => /no NixOS installer kexec image/.test(x)),
    );
    assert.ok(
      !views('/img')
        .find((s) => s.name === 'kexec')!
        .reasons.some((x) => /kexec image/.test(x)),
    );
  });

  it('starts fresh from an unrecognisable saved state', () => {
    assert.equal(loadWizard(undefined).page, 'target');
    assert.equal(loadWizard({ version: 2 }).page, 'target');
    assert.equal(loadWizard({ ...freshWizard(), page: 'review' }).page, 'review');
  });

  it('names the engine steps it still lacks instead of pretending to install', () => {
    assert.equal(engineGap(REQUIRED_STEPS.map((id) => ({ id }))), null);
    assert.match(engineGap([{ id: 'preflight' }]) ?? '', /cannot run the install yet.*build/);
  });

  it('shows an install interrupted by a closed window as resumable', () => {
    const { state } = planFor(HOSTILE_DISK);
    const s: InstallState = JSON.parse(JSON.stringify(state)) as InstallState;
    s.status = 'running';
    s.steps[0].status = 'done';
    s.steps[1].status = 'running';
    const titles = new Map(installSteps().map((x) => [x.id, x.title]));
    const shown = installView(s, titles, '/t.log', false);
    assert.equal(shown.status, 'cancelled');
    assert.equal(shown.resumable, true);
    assert.equal(shown.steps[1].status, 'cancelled');
    assert.match(shown.error ?? '', /interrupted/);
    const live = installView(s, titles, '/t.log', true);
    assert.equal(live.status, 'running');
    assert.equal(live.resumable, false);
  });

  it('resuming an install that erases a disk shows its plan again for the name to be typed again', () => {
    const { state } = planFor(HOSTILE_DISK);
    const s: InstallState = JSON.parse(JSON.stringify(state)) as InstallState;
    s.status = 'failed';
    s.steps[0].status = 'done';
    s.steps[1].status = 'failed';
    const titles = new Map(installSteps().map((x) => [x.id, x.title]));
    const plan = planView(describePlan(installSteps(), s));
    const review = { disk: HOSTILE_DISK, plan };
    const shown = installView(s, titles, '/t.log', false, review);
    assert.deepEqual(shown.resumeReview?.disk, HOSTILE_DISK);
    assert.ok(shown.resumeReview!.plan.some((st) => st.commands.some((c) => c.destructive)));
    assert.ok(
      isWizardView(baseView({ page: 'run', install: shown })),
      'the view with the review passes the guard',
    );
    assert.equal(installView(s, titles, '/t.log', true, review).resumeReview, null, 'not while running');
    assert.equal(installView(s, titles, '/t.log', false).resumeReview, null);
  });

  it('reports verification and next steps of a finished install', () => {
    const { state } = planFor(HOSTILE_DISK);
    const s: InstallState = JSON.parse(JSON.stringify(state)) as InstallState;
    s.status = 'done';
    for (const st of s.steps) st.status = 'done';
    s.steps = s.steps.filter((st) => st.id !== 'verify' && st.id !== 'finish');
    s.steps.push(
      {
        id: 'verify',
        status: 'done',
        outputs: {
          bootloader: 'systemd-boot',
          esp: '/mnt/boot',
          entry: 'e.conf',
          efiBootEntry: 'not-checked',
        },
      },
      {
        id: 'finish',
        status: 'done',
        outputs: {
          rebooted: true,
          currentSystem: '/nix/store/x-system',
          generation: 1,
          hostKeyNote: 'new key',
        },
      },
    );
    const shown = installView(s, new Map(), '/t.log', false);
    assert.equal(shown.resumable, false);
    assert.ok(shown.verification.some((x) => x.includes('systemd-boot') && x.includes('/mnt/boot')));
    assert.ok(shown.verification.some((x) => x.includes('/nix/store/x-system')));
    assert.equal(shown.hostKey, 'new key');
    assert.ok(shown.nextSteps.length >= 2);
  });
});
