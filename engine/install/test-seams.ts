// Test seams for a whole install driven from the outside (the wizard in VS Code, `nixkit install`): the file named
// by NIXKIT_INSTALL_TEST_SEAMS says what to build instead of the flake's toplevel (a system closure made of plain
// derivations, since nixpkgs cannot be fetched offline), which local Nix store to build into, and whether the ESP
// may be mounted through FUSE (for a kernel without vfat). Nothing else can be changed this way: the target, the
// disk, the confirmation and every command still come from the person and are shown in the plan. Unset (every real
// use), this module changes nothing. The seam is announced wherever it takes effect, never silently.
import * as fs from 'node:fs';
import Ajv from 'ajv';
import type { InstallOptions } from '../../protocol/install-state';
import type { StepHooks } from './steps';

export const TEST_SEAMS_ENV = 'NIXKIT_INSTALL_TEST_SEAMS';

export interface InstallTestSeams {
  /** Where the seams came from (the file), for the announcement. */
  source: string;
  hooks: StepHooks;
  /** Merged into every new install's options. */
  options: Pick<InstallOptions, 'buildExpr' | 'localNix'>;
}

const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    fuseVfatFallback: { type: 'boolean' },
    buildExpr: {
      type: 'object',
      additionalProperties: false,
      required: ['file'],
      properties: {
        file: { type: 'string', pattern: '^/' },
        attr: { type: 'string' },
        argstr: stringMap,
        arg: stringMap,
      },
    },
    localNix: {
      type: 'object',
      additionalProperties: false,
      properties: { store: { type: 'string' }, env: stringMap },
    },
  },
} as const;

interface SeamsFile {
  fuseVfatFallback?: boolean;
  buildExpr?: InstallOptions['buildExpr'];
  localNix?: InstallOptions['localNix'];
}

const validate = new Ajv({ allErrors: true }).compile<SeamsFile>(SCHEMA);

/** Reads the seams named by the environment; undefined when unset. A bad file is an error, never ignored. */
export function loadInstallTestSeams(env: NodeJS.ProcessEnv = process.env): InstallTestSeams | undefined {
  const file = env[TEST_SEAMS_ENV];
  if (!file) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${TEST_SEAMS_ENV}=${file}: ${(e as Error).message}`);
  }
  if (!validate(data))
    throw new Error(
      `${TEST_SEAMS_ENV}=${file}: ${(validate.errors ?? [])
        .map((x) => {
          // Ajv's message does not say which key is unknown; the person fixing the file needs it
          const extra = (x.params as { additionalProperty?: string }).additionalProperty;
          return `${x.instancePath || '/'} ${x.message}${extra === undefined ? '' : ` (${extra})`}`;
        })
        .join('; ')}`,
    );
  return {
    source: file,
    hooks: data.fuseVfatFallback ? { fuseVfatFallback: true } : {},
    options: {
      ...(data.buildExpr ? { buildExpr: data.buildExpr } : {}),
      ...(data.localNix ? { localNix: data.localNix } : {}),
    },
  };
}

/** One line saying what the seams change, for the CLI's stderr and the extension's output channel. */
export function describeSeams(s: InstallTestSeams): string {
  const parts = [
    s.options.buildExpr ? `builds ${s.options.buildExpr.file} instead of the flake's toplevel` : '',
    s.options.localNix?.store ? `local store ${s.options.localNix.store}` : '',
    s.hooks.fuseVfatFallback ? 'ESP through FUSE when the kernel has no vfat' : '',
  ].filter(Boolean);
  return `test seams from ${TEST_SEAMS_ENV}=${s.source} are in effect: ${parts.join('; ') || 'none'}`;
}
