// The verify step (steps/index.ts holds the order): check that the boot loader really landed — what nixos-anywhere does
// not do (it reports success after a failed boot loader install). systemd-boot: the loader binary on the ESP and
// `loader/entries/nixos-generation-N .conf` for this generation, naming this system's init, with its kernel and initrd
// on the ESP. GRUB: a grub.cfg naming this system, and GRUB's EFI binary on the ESP when it is built for EFI. Where the
// configuration may touch EFI variables and the target has them: a boot entry. Anything missing fails the install with
// what is missing where.
import { EngineError } from '../../errors';
import type { InstallOptions, InstallState, StepOutputs } from '../../../protocol/install-state';
import type { Step, StepContext } from '../plan';
import type { BuildOutputs } from './build';
import type { InstallOutputs } from './install';

export interface VerifyOutputs extends StepOutputs {
  bootloader: 'systemd-boot' | 'grub';
  esp: string;
  /** The boot entry file (systemd-boot) or grub.cfg checked. */
  entry: string;
  efiBootEntry: 'found' | 'not-checked';
}

/**
 * Gathers the facts on the target as `key<TAB>value` lines (POSIX sh). $1 = ESP directory, $2 = generation,
 * $3 = root. The entry file's content is printed base64-free, line by line, prefixed "entry".
 */
export const FACTS_SCRIPT = `esp=$1; gen=$2; root=$3
f() { if [ -e "$1" ]; then printf '%s\\t%s\\n' "$2" yes; else printf '%s\\t%s\\n' "$2" no; fi; }
f "$esp/EFI/systemd/systemd-bootx64.efi" sdboot
f "$esp/EFI/BOOT/BOOTX64.EFI" fallback
f "$esp/loader/loader.conf" loaderconf
e=$esp/loader/entries/nixos-generation-$gen.conf
f "$e" entryfile
if [ -f "$e" ]; then
  set -f
  while IFS= read -r l || [ -n "$l" ]; do
    printf 'entry\\t%s\\n' "$l"
    set -- $l
    case \${1-} in linux|initrd) [ -n "\${2-}" ] && f "$esp$2" "file:$2";; esac
  done < "$e"
  set +f
fi
for g in "$root/boot/grub/grub.cfg" "$esp/grub/grub.cfg"; do
  [ -f "$g" ] && printf 'grubcfg\\t%s\\n' "$g"
done
for b in "$esp"/EFI/*/*.[eE][fF][iI]; do
  [ -f "$b" ] && grep -q GRUB "$b" 2>/dev/null && printf 'grubefi\\t%s\\n' "$b"
done
if [ -d /sys/firmware/efi/efivars ]; then
  printf 'efivars\\tyes\\n'
  for v in /sys/firmware/efi/efivars/Boot[0-9A-F][0-9A-F][0-9A-F][0-9A-F]-8be4df61-93ca-11d2-aa0d-00e098032b8c; do
    [ -f "$v" ] || continue
    d=$(tail -c +11 "$v" | tr -d '\\000' | tr -c '[:print:]' '\\n' | head -n 1)
    printf 'bootentry\\t%s\\n' "$d"
  done
else printf 'efivars\\tno\\n'; fi`;

function espOf(o: InstallOptions, state: InstallState): string {
  const mp = o.bootloader?.efiSysMountPoint ?? state.config?.efiSysMountPoint ?? '/boot';
  return o.root.replace(/\/$/, '') + (mp.startsWith('/') ? mp : '/' + mp);
}

export interface BootFacts {
  values: Map<string, string>;
  entry: string[];
  grubCfgs: string[];
  /** EFI binaries on the ESP that are GRUB's (they name it). */
  grubEfi: string[];
  bootEntries: string[];
}

export function parseFacts(text: string): BootFacts {
  const values = new Map<string, string>();
  const entry: string[] = [];
  const grubCfgs: string[] = [];
  const grubEfi: string[] = [];
  const bootEntries: string[] = [];
  for (const line of text.split('\n')) {
    const i = line.indexOf('\t');
    if (i < 0) continue;
    const k = line.slice(0, i);
    const v = line.slice(i + 1);
    if (k === 'entry') entry.push(v);
    else if (k === 'grubcfg') grubCfgs.push(v);
    else if (k === 'grubefi') grubEfi.push(v);
    else if (k === 'bootentry') bootEntries.push(v);
    else values.set(k, v);
  }
  return { values, entry, grubCfgs, grubEfi, bootEntries };
}

/** What is wrong with a systemd-boot install, as precise messages (empty: it landed). */
export function checkSystemdBoot(
  facts: BootFacts,
  esp: string,
  generation: number,
  toplevel: string,
): string[] {
  const problems: string[] = [];
  const v = facts.values;
  if (v.get('sdboot') !== 'yes' && v.get('fallback') !== 'yes')
    problems.push(
      `no systemd-boot binary on the ESP (neither ${esp}/EFI/systemd/systemd-bootx64.efi nor ${esp}/EFI/BOOT/BOOTX64.EFI)`,
    );
  const entryFile = `${esp}/loader/entries/nixos-generation-${generation}.conf`;
  if (v.get('entryfile') !== 'yes') {
    problems.push(`no boot entry for generation ${generation} (${entryFile} is missing)`);
    return problems;
  }
  const options = facts.entry.find((l) => /^options\s/.test(l)) ?? '';
  if (!options.includes(`init=${toplevel}/init`))
    problems.push(
      `${entryFile} does not boot this system (its options line lacks init=${toplevel}/init: "${options}")`,
    );
  for (const key of ['linux', 'initrd']) {
    const line = facts.entry.find((l) => new RegExp(`^${key}\\s`).test(l));
    if (!line) {
      problems.push(`${entryFile} has no ${key} line`);
      continue;
    }
    const file = line.replace(new RegExp(`^${key}\\s+`), '').trim();
    if (v.get(`file:${file}`) !== 'yes')
      problems.push(`the ${key} ${esp}${file} named by ${entryFile} is missing`);
  }
  return problems;
}

export const verifyStep: Step = {
  id: 'verify',
  title: 'Verify the boot loader',

  describe(options: InstallOptions, state: InstallState) {
    const esp = espOf(options, state);
    return {
      id: 'verify',
      title: this.title,
      commands: [
        {
          where: 'target',
          argv: ['sh', '-c', FACTS_SCRIPT, 'nixkit-bootfacts', esp, '<generation>', options.root],
          purpose: `check ${esp} for the boot loader and this generation's entry, and the EFI boot entries`,
        },
      ],
    };
  },

  async run(ctx: StepContext): Promise<VerifyOutputs> {
    const install = ctx.outputs('install') as InstallOutputs | undefined;
    const build = ctx.outputs('build') as BuildOutputs | undefined;
    if (!install || !build)
      throw new EngineError('no-install', 'Nothing to verify: the install step has not finished.');
    const esp = espOf(ctx.options, ctx.state);
    const argv = [
      'sh',
      '-c',
      FACTS_SCRIPT,
      'nixkit-bootfacts',
      esp,
      String(install.generation),
      ctx.options.root,
    ];
    ctx.emit({
      kind: 'command',
      command: { where: 'target', argv, purpose: 'check the ESP and the boot entries' },
    });
    const r = await ctx.session.execAsRoot(argv, { signal: ctx.signal, timeoutMs: 60_000 });
    const facts = parseFacts(r.stdout.toString());
    let kind = ctx.options.bootloader?.kind;
    if (!kind)
      kind =
        facts.values.get('loaderconf') === 'yes' || facts.grubCfgs.length === 0 ? 'systemd-boot' : 'grub';
    let entry: string;
    const problems: string[] = [];
    if (kind === 'systemd-boot') {
      entry = `${esp}/loader/entries/nixos-generation-${install.generation}.conf`;
      problems.push(...checkSystemdBoot(facts, esp, install.generation, build.toplevel));
    } else {
      entry = facts.grubCfgs[0] ?? `${ctx.options.root}/boot/grub/grub.cfg`;
      if (facts.grubCfgs.length === 0) {
        // With the ESP at /boot both places are one folder: name it once.
        const places = [...new Set([`${ctx.options.root.replace(/\/$/, '')}/boot/grub`, `${esp}/grub`])];
        problems.push(`no grub.cfg (looked in ${places.join(' and ')})`);
      } else {
        const cfg = await ctx.session.execAsRoot(['grep', '-F', '-l', build.toplevel, ...facts.grubCfgs], {
          signal: ctx.signal,
        });
        if (cfg.code !== 0)
          problems.push(`${facts.grubCfgs.join(' and ')} does not name this system (${build.toplevel})`);
        else entry = cfg.stdout.toString().split('\n')[0];
      }
      // GRUB for EFI puts its binary on the ESP (EFI/<bootloaderId>/grubx64.efi, or EFI/BOOT/BOOTX64.EFI when
      // installed as removable); for BIOS its boot code goes to the configured devices, which are not checked.
      const efiSupport = ctx.options.bootloader?.efiSupport ?? ctx.state.config?.grubEfiSupport;
      if (efiSupport === true && facts.grubEfi.length === 0)
        problems.push(`no GRUB EFI binary under ${esp}/EFI (efiSupport is set)`);
      else if (efiSupport !== true)
        ctx.emit({
          kind: 'note',
          text:
            efiSupport === false
              ? 'GRUB for BIOS: its boot code on the configured devices was not checked, only grub.cfg'
              : 'whether GRUB is built for EFI is not known: only grub.cfg was checked',
        });
    }
    let efiBootEntry: VerifyOutputs['efiBootEntry'] = 'not-checked';
    // The options win (the CLI/tests may say so); otherwise what the analysis found in the configuration.
    const touchEfi =
      ctx.options.bootloader?.canTouchEfiVariables ?? ctx.state.config?.canTouchEfiVariables === true;
    if (touchEfi && facts.values.get('efivars') === 'yes') {
      const want = kind === 'systemd-boot' ? /Linux Boot Manager/i : /NixOS/i;
      if (facts.bootEntries.some((d) => want.test(d))) efiBootEntry = 'found';
      else
        problems.push(
          `no EFI boot entry for ${kind} (canTouchEfiVariables is set; the firmware lists: ${facts.bootEntries.join(', ') || 'nothing'})`,
        );
    } else if (touchEfi) {
      ctx.emit({
        kind: 'note',
        text: 'no EFI variables on the target (booted as BIOS?): the EFI boot entry was not checked',
      });
    }
    if (problems.length > 0)
      throw new EngineError(
        'bootloader-missing',
        `The boot loader did not land: ${problems.join('; ')}. The disk would not boot this system.`,
      );
    ctx.emit({ kind: 'note', text: `boot loader in place: ${entry}` });
    return { bootloader: kind, esp, entry, efiBootEntry };
  },

  async verify() {
    // run() is the check.
  },
};
