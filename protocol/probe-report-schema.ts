// JSON schema of a saved probe report (version 1), checked with ajv whenever a report is read from disk: a
// hand-edited or foreign file gives a precise error instead of a crash deep in hwconfig or the panel.
import type { default as Ajv, ErrorObject } from 'ajv';
import type { ProbeReport } from './probe-report';

const str = { type: 'string' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const boolOrNull = { type: ['boolean', 'null'] } as const;
const strings = { type: 'array', items: str } as const;

const filesystem = {
  type: ['object', 'null'],
  required: ['type', 'uuid', 'label'],
  properties: { type: strOrNull, uuid: strOrNull, label: strOrNull, version: strOrNull },
} as const;

const partition = {
  type: 'object',
  required: ['name', 'path', 'number', 'partuuid', 'partlabel', 'fs', 'mountpoints'],
  properties: {
    name: strOrNull,
    path: strOrNull,
    number: numOrNull,
    startSector: numOrNull,
    sizeBytes: numOrNull,
    type: strOrNull,
    typeName: strOrNull,
    partuuid: strOrNull,
    partlabel: strOrNull,
    fs: filesystem,
    mountpoints: strings,
    holders: strings,
  },
} as const;

export const PROBE_REPORT_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'nixkit probe report',
  type: 'object',
  required: [
    'version',
    'system',
    'firmware',
    'cpu',
    'disks',
    'controllers',
    'network',
    'mounts',
    'swaps',
    'missing',
    'warnings',
  ],
  properties: {
    version: { const: 1 },
    probedAt: str,
    target: strOrNull,
    user: { type: 'object', properties: { uid: numOrNull } },
    system: {
      type: 'object',
      required: ['arch', 'nixSystem', 'kernel', 'nixos', 'nixosInstaller', 'nix', 'memory', 'virtualisation'],
      properties: {
        arch: strOrNull,
        nixSystem: strOrNull,
        kernel: strOrNull,
        hostname: strOrNull,
        os: { type: ['object', 'null'] },
        nixos: { type: 'boolean' },
        nixosInstaller: { type: 'boolean' },
        nix: {
          type: 'object',
          required: ['present', 'version'],
          properties: { present: { type: 'boolean' }, version: strOrNull },
        },
        memory: {
          type: 'object',
          required: ['totalBytes', 'kexecFits'],
          properties: { totalBytes: numOrNull, availableBytes: numOrNull, kexecFits: boolOrNull },
        },
        virtualisation: {
          type: 'object',
          required: ['type', 'source'],
          properties: { type: str, source: { enum: ['systemd-detect-virt', 'dmi', 'cpuinfo', 'none'] } },
        },
        kernelCmdline: strOrNull,
      },
    },
    firmware: {
      type: 'object',
      required: ['mode', 'efivarsMounted', 'efivarsWritable', 'secureBoot'],
      properties: {
        mode: { enum: ['uefi', 'bios'] },
        platformBits: numOrNull,
        efivarsMounted: { type: 'boolean' },
        efivarsWritable: boolOrNull,
        secureBoot: { enum: ['enabled', 'disabled', 'setup-mode', 'unknown', null] },
      },
    },
    cpu: {
      type: 'object',
      required: ['vendor', 'cores', 'kvmModule', 'microcode'],
      properties: {
        vendor: strOrNull,
        model: strOrNull,
        cores: numOrNull,
        kvmModule: { enum: ['kvm-intel', 'kvm-amd', null] },
        microcode: { enum: ['intel', 'amd', null] },
        hypervisorFlag: { type: 'boolean' },
        governors: strings,
      },
    },
    disks: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'path', 'sizeBytes', 'byId', 'partitionTable', 'partitions', 'liveSystem'],
        properties: {
          name: str,
          path: str,
          majorMinor: strOrNull,
          sizeBytes: { type: 'number' },
          model: strOrNull,
          serial: strOrNull,
          vendor: strOrNull,
          transport: strOrNull,
          rotational: boolOrNull,
          removable: { type: 'boolean' },
          readOnly: { type: 'boolean' },
          byId: strings,
          partitionTable: {
            type: ['object', 'null'],
            required: ['type'],
            properties: { type: str, uuid: strOrNull },
          },
          partitions: { type: 'array', items: partition },
          fs: filesystem,
          mountpoints: strings,
          liveSystem: { type: 'boolean' },
          module: strOrNull,
          holders: strings,
          dm: {
            type: ['object', 'null'],
            properties: { name: strOrNull, uuid: strOrNull },
          },
          md: { type: ['object', 'null'], properties: { level: strOrNull } },
        },
      },
    },
    controllers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kind', 'address', 'module'],
        properties: {
          kind: {
            enum: [
              'storage',
              'usb',
              'firewire',
              'network',
              'usb-storage',
              'usb-hid',
              'block',
              'mmc',
              'other',
            ],
          },
          address: str,
          driver: strOrNull,
          module: strOrNull,
        },
      },
    },
    network: {
      type: 'object',
      required: ['interfaces', 'defaultRoutes', 'dns'],
      properties: {
        interfaces: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'mac', 'state', 'addresses', 'predicted'],
            properties: {
              name: str,
              mac: strOrNull,
              driver: strOrNull,
              state: strOrNull,
              virtual: { type: 'boolean' },
              addresses: { type: 'array' },
              predicted: {
                type: 'object',
                required: ['name', 'source'],
                properties: {
                  name: strOrNull,
                  source: { enum: ['udevadm', 'sysfs', 'kernel', 'none'] },
                  reason: str,
                },
              },
            },
          },
        },
        defaultRoutes: { type: 'array' },
        dns: strings,
        searchDomains: strings,
      },
    },
    mounts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['mountPoint', 'fsType', 'source', 'root', 'majorMinor', 'options', 'superOptions'],
        properties: {
          mountPoint: str,
          fsType: str,
          source: str,
          root: str,
          majorMinor: str,
          options: strings,
          superOptions: strings,
        },
      },
    },
    swaps: {
      type: 'array',
      items: {
        type: 'object',
        required: ['device', 'type'],
        properties: { device: str, type: str, sizeKiB: { type: 'number' } },
      },
    },
    missing: strings,
    warnings: strings,
  },
} as const;

let validator: ReturnType<Ajv['compile']> | undefined;

/** Validates parsed JSON as a probe report; returns the report or human-readable problems. */
export function validateProbeReport(
  data: unknown,
): { ok: true; report: ProbeReport } | { ok: false; errors: string[] } {
  // ajv (a quarter of `nixkit check`'s bundle) is loaded only when a report is read: a check without a probe
  // starts faster.
  validator ??= new (require('ajv') as typeof import('ajv')).default({
    allErrors: true,
    strict: false,
  }).compile(PROBE_REPORT_SCHEMA);
  if (validator(data)) return { ok: true, report: data as ProbeReport };
  const errors = (validator.errors ?? [])
    .slice(0, 20)
    .map((e: ErrorObject) => `${e.instancePath || '(top)'} ${e.message ?? 'is invalid'}`);
  return { ok: false, errors };
}
