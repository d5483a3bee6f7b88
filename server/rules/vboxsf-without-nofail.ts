import type { Definition } from '../model/modules';
import type { Thunk, Value } from '../model/value';
import { insertSibling, nixString } from '../rule-api/edits';
import type { Rule, RuleEdit, RuleFix } from '../rule-api/rule';

/** Mount options that keep a missing share from stopping the boot. */
const HARMLESS = new Set(['nofail', 'noauto']);

export const vboxsfWithoutNofail: Rule = {
  code: 'vboxsf-without-nofail',
  severity: 'warning',
  title: 'A VirtualBox shared folder is mounted without "nofail"',
  explanation:
    'A `vboxsf` file system is a VirtualBox shared folder: it exists only while the VM runs in VirtualBox with ' +
    'that share configured and the guest additions loaded. Without `nofail` in its options, systemd makes the ' +
    'mount a hard dependency of `local-fs.target`: when the share is missing (the VM was exported, the share ' +
    'renamed, the guest additions not yet built for a new kernel) the boot stops in emergency mode and the ' +
    'machine does not come up on the network. With `nofail` the boot goes on and the folder is simply absent.',
  bad: {
    files: {
      'configuration.nix': `{ ... }:
{
  virtualisation.virtualbox.guest.enable = true;
  fileSystems."/mnt/share" = {
    device = "share";
    fsType = "vboxsf";
  };
  system.stateVersion = "24.11";
}
`,
    },
    expect: ['configuration.nix:6'],
  },
  good: {
    files: {
      'configuration.nix': `{ ... }:
{
  virtualisation.virtualbox.guest.enable = true;
  fileSystems."/mnt/share" = {
    device = "share";
    fsType = "vboxsf";
    options = [ "rw" "nofail" ];
  };
  system.stateVersion = "24.11";
}
`,
    },
  },
  checkConfiguration(ctx) {
    const { config } = ctx;
    for (const mp of config.children('fileSystems').names) {
      const fsTypes = config.defs(['fileSystems', mp, 'fsType']);
      const vbox = fsTypes.find((d) => !d.conditional && d.value.t === 'str' && d.value.v === 'vboxsf');
      if (!vbox || fsTypes.some((d) => d !== vbox && d.priority <= vbox.priority)) continue;
      const options = optionLists(config.defs(['fileSystems', mp, 'options']), ctx.force);
      if (options === 'unknown' || config.isOpaqueAt(['fileSystems', mp, 'options'])) continue;
      if (options.some((o) => o.values.some((v) => HARMLESS.has(v)))) continue;
      const at = vbox.value.src ?? vbox.valueAt;
      if (!at) continue;
      const fixes: RuleFix[] = [];
      const edit = options.length
        ? appendOption(ctx.sources.parsed(options[0].def.valueAt?.file ?? '')?.lines.text, options[0].def)
        : insertSibling(vbox, ['fileSystems', mp, 'options'], `[ ${nixString('nofail')} ]`, ctx.sources);
      if (edit) fixes.push({ title: 'Add "nofail" to the mount options', edits: [edit], preferred: true });
      ctx.report({
        at,
        message:
          `fileSystems."${mp}" is a VirtualBox shared folder without "nofail": when the share is missing the boot ` +
          'stops in emergency mode',
        fixes,
      });
    }
  },
};

/** Every `options` definition as its list of strings; `unknown` when any of them cannot be read. */
function optionLists(
  defs: readonly Definition[],
  force: (t: Thunk) => Value,
): { def: Definition; values: string[] }[] | 'unknown' {
  const out: { def: Definition; values: string[] }[] = [];
  for (const def of defs) {
    if (def.conditional || def.value.t !== 'list') return 'unknown';
    const values: string[] = [];
    for (const item of def.value.items) {
      const v = force(item);
      if (v.t !== 'str') return 'unknown';
      values.push(v.v);
    }
    out.push({ def, values });
  }
  return out;
}

/** `"nofail"` added at the end of a written list literal. */
function appendOption(text: string | undefined, def: Definition): RuleEdit | undefined {
  const at = def.valueAt;
  if (!text || !at) return undefined;
  const list = text.slice(at.span.start, at.span.end);
  if (!/^\[[\s\S]*\]$/.test(list)) return undefined;
  const inner = list.slice(1, -1).trimEnd();
  if (inner.trim() === '') return { at, newText: `[ ${nixString('nofail')} ]` };
  const end = at.span.start + 1 + inner.length;
  return { at: { file: at.file, span: { start: end, end } }, newText: ` ${nixString('nofail')}` };
}
