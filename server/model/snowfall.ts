// snowfallorg/lib (Snowfall Lib), modelled by what it is: `snowfall-lib.mkFlake { inherit inputs; src = ./.; … }`
// (or `(snowfall-lib.mkLib { inherit inputs; src = ./.; }).mkFlake { … }`) makes a NixOS machine of every folder
// `systems/<target>/<name>/` that has a default.nix, as its snowfall-lib/system/default.nix does:
// - the root is `snowfall.root`, else `src`; targets whose name holds a nixos-generators format (`x86_64-iso`,
//   `x86_64-vm`, …: snowfall-lib/system/virtual-systems.nix) are images (`isoConfigurations`, …), targets naming
//   darwin are nix-darwin's; every other target is a NixOS platform (`x86_64-linux`);
// - its modules: the host's default.nix, every default.nix below `modules/nixos` (each is a module of every
//   NixOS machine), `systems.hosts.<name>.modules`, `systems.modules.nixos`, snowfall's own user module and,
//   with a home-manager input, home-manager's module;
// - its module arguments: `systems.hosts.<name>.specialArgs`, then `target`, `system`, `host`, `virtual`,
//   `format`, `inputs`, `namespace` (`snowfall.namespace`, else "internal"), `systems` (the others: unknown) and
//   `lib`: nixpkgs' lib with the repository's own `lib/` and its inputs' libraries, known here for nixpkgs' part.
// What snowfall and its flake-utils-plus add (users from `snowfallorg.users`, the nix registry and channels) is
// read as a module nixkit does not know: the machines are partly read, and rules about users stay quiet. Those
// modules choose no boot loader, mount nothing and never set system.stateVersion, so the rules about those do
// run (facts/boot.ts, rules/state-version-missing.ts).
import * as path from 'node:path';
import type { Evaluator } from './evaluator';
import { known, type Source, type Thunk, type Value } from './value';

/** The stand-in for the modules snowfall adds to each machine (its user module, flake-utils-plus's). */
export const SNOWFALL_MODULES = 'snowfall-lib.modules';

const MK_FLAKE = 'snowfall.mkFlake';
const LIB_MK_FLAKE = 'snowfall.lib.mkFlake';
const MK_LIB = 'snowfall.mkLib';

/** snowfall-lib/system/virtual-systems.nix: a target naming one of these is an image, not a NixOS machine. */
const VIRTUAL = [
  'amazon', 'azure', 'cloudstack', 'docker', 'do', 'gce', 'install-iso-hyperv', 'hyperv', 'install-iso', 'iso',
  'kexec', 'kexec-bundle', 'kubevirt', 'proxmox-lxc', 'lxc-metadata', 'lxc', 'openstack', 'proxmox', 'qcow',
  'raw-efi', 'raw', 'sd-aarch64-installer', 'sd-aarch64', 'vagrant-virtualbox', 'virtualbox', 'vm-bootloader',
  'vm-nogui', 'vmware', 'vm',
]; // prettier-ignore

const attrsOf = (entries: [string, Thunk][], dynamic = false, src?: Source): Value => ({
  t: 'attrs',
  attrs: new Map(entries),
  dynamic,
  src,
});
const str = (v: string): Thunk => known({ t: 'str', v });
const unknownAt = (...p: string[]): Thunk => known({ t: 'unknown', path: p });

/** The value of a snowfall-lib input (`inputs.snowfall-lib`). */
export function snowfallInput(ev: Evaluator): Value {
  if (!ev.natives.has(MK_FLAKE)) {
    ev.natives.set(MK_FLAKE, { arity: 1, call: ([args], src) => mkFlake(ev, [args], src) });
    ev.natives.set(LIB_MK_FLAKE, {
      arity: 2,
      call: ([libArgs, args], src) => mkFlake(ev, [libArgs, args], src),
    });
    ev.natives.set(MK_LIB, {
      arity: 1,
      call: ([libArgs]) => {
        const lib = ev.lib();
        const own = new Map(lib.t === 'attrs' ? lib.attrs : []);
        own.set('mkFlake', known({ t: 'fn', name: LIB_MK_FLAKE, args: [libArgs] }));
        return { t: 'attrs', attrs: own, dynamic: true };
      },
    });
  }
  return attrsOf([
    ['mkFlake', known({ t: 'fn', name: MK_FLAKE, args: [] })],
    ['mkLib', known({ t: 'fn', name: MK_LIB, args: [] })],
    ['nixosModules', known({ t: 'external', name: 'snowfall-lib.nixosModules' })],
  ]);
}

/** mkFlake's outputs as far as machines go: `nixosConfigurations`; the rest of the flake is unknown. */
function mkFlake(ev: Evaluator, given: Thunk[], src?: Source): Value {
  // mkLib's arguments, then mkFlake's: the later wins, as `//` does.
  const args = new Map<string, Thunk>();
  for (const t of given) {
    const v = ev.force(t);
    if (v.t !== 'attrs') return { t: 'unknown', path: ['snowfall-lib', 'mkFlake'], src };
    for (const [k, a] of v.attrs) args.set(k, a);
  }
  const get = (v: Value | undefined, k: string): Value | undefined =>
    v?.t === 'attrs' ? (v.attrs.has(k) ? ev.force(v.attrs.get(k)!) : undefined) : undefined;
  const srcV = args.has('src') ? ev.force(args.get('src')!) : undefined;
  const snowfall = args.has('snowfall') ? ev.force(args.get('snowfall')!) : undefined;
  const rootV = get(snowfall, 'root') ?? srcV;
  if (rootV?.t !== 'path') return { t: 'unknown', path: ['snowfall-lib', 'mkFlake'], src };
  const namespaceV = get(snowfall, 'namespace');
  const namespace = namespaceV === undefined ? 'internal' : namespaceV.t === 'str' ? namespaceV.v : undefined;
  const systems = args.has('systems') ? ev.force(args.get('systems')!) : undefined;
  const shared = get(get(systems, 'modules'), 'nixos');
  const hosts = get(systems, 'hosts');
  const inputs = args.get('inputs') ?? unknownAt('inputs');
  const inputsV = ev.force(inputs);
  const withHomeManager = inputsV.t === 'attrs' && inputsV.attrs.has('home-manager');

  const root = rootV.v;
  const userModules = defaultNixBelow(ev, path.join(root, 'modules', 'nixos'));
  // Hosts are keyed by folder name alone: going through the targets in readDir's order, a later target's host of
  // the same name replaces an earlier one, and the last decides its output (`systems/x86_64-iso/foo` after
  // `systems/aarch64-linux/foo` leaves only `isoConfigurations.foo`).
  const hostsByName = new Map<string, { target: string; file: string; nixos: boolean }>();
  const systemsDir = path.join(root, 'systems');
  ev.noteRead(systemsDir); // a new target folder changes the machines
  for (const target of [...(ev.sources.list(systemsDir) ?? [])].sort()) {
    const targetDir = path.join(systemsDir, target);
    if (!ev.sources.isDirectory(targetDir)) continue;
    ev.noteRead(targetDir);
    const nixos = !VIRTUAL.some((v) => target.includes(v)) && !target.includes('darwin');
    for (const name of [...(ev.sources.list(targetDir) ?? [])].sort()) {
      const file = path.join(targetDir, name, 'default.nix');
      if (ev.sources.exists(file)) hostsByName.set(name, { target, file, nixos });
    }
  }
  const machines: [string, Thunk][] = [];
  for (const [name, { target, file: hostFile, nixos }] of hostsByName) {
    if (!nixos) continue;
    const override = get(hosts, name);
    const own = get(override, 'modules');
    const moduleItems: Thunk[] = [known({ t: 'path', v: hostFile }), ...userModules];
    if (own) moduleItems.push(known(own));
    if (shared) moduleItems.push(known(shared));
    moduleItems.push(known({ t: 'external', name: SNOWFALL_MODULES }));
    if (withHomeManager)
      moduleItems.push(known({ t: 'external', name: 'home-manager.nixosModules.home-manager' }));
    const special = new Map<string, Thunk>();
    const extra = get(override, 'specialArgs');
    if (extra?.t === 'attrs') for (const [k, a] of extra.attrs) special.set(k, a);
    const lib = ev.lib();
    special.set('target', str(target));
    special.set('system', str(target));
    special.set('host', str(name));
    special.set('virtual', known({ t: 'bool', v: false }));
    special.set('format', str('linux'));
    special.set('inputs', inputs);
    special.set('namespace', namespace === undefined ? unknownAt('namespace') : str(namespace));
    special.set('systems', unknownAt('systems'));
    special.set('lib', known(lib.t === 'attrs' ? { ...lib, dynamic: true } : lib));
    const sysArgs = known(
      attrsOf([
        ['system', str(target)],
        ['modules', known({ t: 'list', items: moduleItems })],
        ['specialArgs', known(attrsOf([...special]))],
      ]),
    );
    machines.push([name, known({ t: 'nixosSystem', args: sysArgs, src })]);
  }
  return attrsOf([['nixosConfigurations', known(attrsOf(machines, false, src))]], true, src);
}

/** Every default.nix below a folder (snowfall's get-default-nix-files-recursive), as module paths. */
function defaultNixBelow(ev: Evaluator, dir: string, depth = 0): Thunk[] {
  if (depth > 32 || !ev.sources.isDirectory(dir)) return [];
  ev.noteRead(dir);
  const out: Thunk[] = [];
  for (const name of [...(ev.sources.list(dir) ?? [])].sort()) {
    const p = path.join(dir, name);
    if (ev.sources.isDirectory(p)) out.push(...defaultNixBelow(ev, p, depth + 1));
    else if (name === 'default.nix') out.push(known({ t: 'path', v: p }));
  }
  return out;
}
