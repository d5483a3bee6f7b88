// The install wizard's page logic without a DOM (unit-tested in Node): the review's plan as a tree of plain nodes
// whose strings become text nodes (never markup), the Install button's gate, the step navigation. The panel script
// (install-wizard-page.ts) turns the nodes into elements with createElement and textContent.
import {
  WIZARD_PAGES,
  diskConfirmed,
  reachablePages,
  type PlanStepView,
  type WizardPage,
  type WizardView,
} from '../protocol/webview-messages';

/** An element: a tag, attributes (never event handlers) and children (strings are text, shown verbatim). */
export interface VNode {
  tag: string;
  attrs: Record<string, string | boolean>;
  children: (VNode | string)[];
}

export type VChild = VNode | string | null | undefined | false;

export function v(
  tag: string,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: VChild[]
): VNode {
  const a: Record<string, string | boolean> = {};
  for (const [k, val] of Object.entries(attrs)) {
    if (val === undefined || val === false) continue;
    if (/^on/i.test(k)) throw new Error(`event handler attribute ${k} not allowed`);
    a[k] = val;
  }
  return { tag, attrs: a, children: children.filter((c): c is VNode | string => !!c || c === '') };
}

/** All the text of a node, as a screen reader or textContent would give it. */
export function textOf(n: VNode | string): string {
  return typeof n === 'string' ? n : n.children.map(textOf).join('');
}

export const PAGE_TITLES: Record<WizardPage, string> = {
  target: 'Target',
  probe: 'Hardware',
  disk: 'Disk and layout',
  configuration: 'Configuration',
  strategy: 'Strategy',
  network: 'Network',
  review: 'Review',
  run: 'Install',
  done: 'Done',
};

/** The step list at the top: every page with whether it can be visited now. */
export function navigation(
  view: WizardView,
): { page: WizardPage; title: string; reachable: boolean; current: boolean }[] {
  const reachable = reachablePages(view);
  return WIZARD_PAGES.map((page) => ({
    page,
    title: PAGE_TITLES[page],
    reachable: reachable.includes(page),
    current: page === view.page,
  }));
}

/** The page after this one, when it can be visited. */
export function nextPage(view: WizardView): WizardPage | null {
  const i = WIZARD_PAGES.indexOf(view.page);
  const next = WIZARD_PAGES[i + 1];
  return next && reachablePages(view).includes(next) ? next : null;
}

export function previousPage(view: WizardView): WizardPage | null {
  if (view.install) return null;
  const i = WIZARD_PAGES.indexOf(view.page);
  return i > 0 ? WIZARD_PAGES[i - 1] : null;
}

export interface InstallGate {
  enabled: boolean;
  /** What the person has to do (or why Install is off). */
  hint: string;
}

/** The review's Install button: on only with a runnable plan and, when a disk is erased, its exact name typed. */
export function installGate(view: WizardView, typed: string): InstallGate {
  if (view.busy) return { enabled: false, hint: view.busy };
  if (!view.plan) return { enabled: false, hint: 'There is no plan yet.' };
  if (view.planError) return { enabled: false, hint: view.planError };
  const disk = view.useMounted ? null : view.disk;
  if (disk === null)
    return { enabled: true, hint: `Installs onto what is mounted at ${view.root}; no disk is erased.` };
  if (typed === '')
    return { enabled: false, hint: `Type ${disk} to confirm that everything on it is erased.` };
  if (!diskConfirmed(disk, typed))
    return {
      enabled: false,
      hint:
        typed.trim() === disk
          ? 'The name must match exactly (no spaces before or after).'
          : `That is not the disk's name. Type ${disk} exactly.`,
    };
  return { enabled: true, hint: `Everything on ${disk} will be erased.` };
}

/** The full plan: every step, every command (destructive ones marked), stdin, files written, warnings. */
export function planNodes(plan: PlanStepView[]): VNode {
  return v(
    'ol',
    { id: 'plan', class: 'plan' },
    ...plan.map((step) =>
      v(
        'li',
        { class: `plan-step${step.skipped !== null ? ' skipped' : ''}`, 'data-step': step.id },
        v(
          'h3',
          {},
          step.title,
          step.skipped !== null ? v('span', { class: 'skip-note' }, ` — skipped: ${step.skipped}`) : null,
        ),
        step.warnings.length
          ? v('ul', { class: 'step-warnings' }, ...step.warnings.map((w) => v('li', {}, w)))
          : null,
        step.commands.length
          ? v(
              'ol',
              { class: 'commands' },
              ...step.commands.map((c) =>
                v(
                  'li',
                  {
                    class: c.destructive ? 'command destructive' : 'command',
                    'data-destructive': c.destructive ? 'true' : undefined,
                  },
                  v(
                    'div',
                    { class: 'command-head' },
                    v(
                      'span',
                      { class: `where where-${c.where}` },
                      c.where === 'local' ? 'this machine' : 'target',
                    ),
                    c.destructive ? v('span', { class: 'destructive-badge' }, 'ERASES DATA') : null,
                    v('span', { class: 'purpose' }, c.purpose),
                  ),
                  v('pre', { class: 'cmdline' }, v('code', {}, c.text)),
                  c.fullText !== null
                    ? v(
                        'details',
                        { class: 'stdin' },
                        v('summary', {}, 'the whole command'),
                        v('pre', {}, v('code', {}, c.fullText)),
                      )
                    : null,
                  c.stdin !== null
                    ? v(
                        'details',
                        { class: 'stdin' },
                        v('summary', {}, 'standard input'),
                        v('pre', {}, v('code', {}, c.stdin)),
                      )
                    : null,
                ),
              ),
            )
          : step.skipped === null
            ? v('p', { class: 'no-commands' }, 'No commands on the target (works on this machine).')
            : null,
        step.files.length
          ? v(
              'ul',
              { class: 'files' },
              ...step.files.map((f) => v('li', {}, 'writes ', v('code', {}, f.path), ` — ${f.purpose}`)),
            )
          : null,
      ),
    ),
  );
}

/** How many commands of the plan erase or overwrite data. */
export function destructiveCount(plan: PlanStepView[]): number {
  return plan.reduce((n, s) => n + s.commands.filter((c) => c.destructive).length, 0);
}
