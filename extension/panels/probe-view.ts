// The probe panel's data: the engine's ProbeReport reduced to what the panel shows (protocol/webview-messages.ts ProbeView).
// No `vscode` import, so unit tests can run it. Target strings are copied verbatim; the webview shows them as text.
import type { ProbeReport } from '../../protocol/probe-report';
import type { ProbeView, ProbeWarningView } from '../../protocol/webview-messages';

function warningKind(text: string): ProbeWarningView['kind'] {
  if (text.startsWith('BIOS')) return 'bios';
  if (/kexec/.test(text)) return 'low-ram';
  if (text.startsWith('No Nix')) return 'no-nix';
  if (text.startsWith('Tools missing')) return 'missing-tools';
  return 'other';
}

export function toProbeView(report: ProbeReport, target: string): ProbeView {
  const s = report.system;
  const os = s.os
    ? (s.os.prettyName ?? ([s.os.name, s.os.versionId].filter(Boolean).join(' ') || null))
    : null;
  const initrdModules = [
    ...new Set(
      report.controllers
        .filter((c) => c.module && c.kind !== 'network' && c.kind !== 'other')
        .map((c) => c.module!),
    ),
  ].sort();
  return {
    target,
    probedAt: report.probedAt,
    hostname: s.hostname,
    system: {
      nixSystem: s.nixSystem,
      arch: s.arch,
      kernel: s.kernel,
      os,
      nixosInstaller: s.nixosInstaller,
      nixPresent: s.nix.present,
      nixVersion: s.nix.version,
      virtualisation: s.virtualisation.type,
    },
    firmware: {
      mode: report.firmware.mode,
      efivarsWritable: report.firmware.efivarsWritable,
      secureBoot: report.firmware.secureBoot,
    },
    cpu: {
      vendor: report.cpu.vendor,
      model: report.cpu.model,
      cores: report.cpu.cores,
      kvmModule: report.cpu.kvmModule,
      microcode: report.cpu.microcode,
    },
    memory: { ...s.memory },
    disks: report.disks.map((d) => ({
      path: d.path,
      sizeBytes: d.sizeBytes,
      model: d.model,
      serial: d.serial,
      transport: d.transport,
      rotational: d.rotational,
      removable: d.removable,
      byId: [...d.byId],
      partitionTable: d.partitionTable?.type ?? null,
      liveSystem: d.liveSystem,
      fs: d.fs ? { type: d.fs.type, uuid: d.fs.uuid, label: d.fs.label } : null,
      partitions: d.partitions.map((p) => ({
        path: p.path,
        number: p.number,
        sizeBytes: p.sizeBytes,
        typeName: p.typeName,
        partuuid: p.partuuid,
        partlabel: p.partlabel,
        fs: p.fs ? { type: p.fs.type, uuid: p.fs.uuid, label: p.fs.label } : null,
        mountpoints: [...p.mountpoints],
      })),
    })),
    controllers: report.controllers.map((c) => ({
      kind: c.kind,
      address: c.address,
      driver: c.driver,
      module: c.module,
    })),
    nics: report.network.interfaces.map((n) => ({
      name: n.name,
      mac: n.mac,
      driver: n.driver,
      state: n.state,
      virtual: n.virtual,
      addresses: n.addresses.map((a) => `${a.address}/${a.prefixLength}`),
      predictedName: n.predicted.name,
      predictedHow: n.predicted.reason ? `${n.predicted.source}: ${n.predicted.reason}` : n.predicted.source,
    })),
    initrdModules,
    missingTools: [...report.missing],
    warnings: report.warnings.map((text) => ({ kind: warningKind(text), text })),
  };
}
