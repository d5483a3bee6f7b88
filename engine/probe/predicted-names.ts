// The name a NIC will get under NixOS (networking.usePredictableInterfaceNames, systemd's 99-default.link with
// NamePolicy=keep kernel database onboard slot path). "keep" does not carry over: NixOS boots fresh, the kernel
// names the NIC eth0 again and udev renames it. So: a kernel-predictable name is kept, else ID_NET_NAME_ONBOARD,
// then _SLOT, then _PATH. From `udevadm test-builtin net_id` when the target has udevadm; otherwise derived from
// the /sys PCI path (onboard from acpi_index, slot from /sys/bus/pci/slots, path from the PCI address).
import type { PredictedName } from '../../protocol/probe-report';

export interface NicFacts {
  name: string;
  /** /sys/class/net/X/type (1 = ethernet, 32 = infiniband). */
  type?: number;
  wireless?: boolean;
  /** name_assign_type: 1 enum, 2 predictable (kernel), 3 user, 4 renamed. */
  nameAssignType?: number;
  /** Resolved /sys path of the device (absent for virtual interfaces). */
  devPath?: string;
  acpiIndex?: number;
  index?: number;
  devPort?: number;
  /** `udevadm test-builtin net_id` output (KEY=VALUE lines). */
  netIdOutput?: string;
  /** PCI slot number by "dddd:bb:ss" address (/sys/bus/pci/slots/N/address). */
  slots?: Record<string, string>;
}

function parseProps(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^(ID_NET_NAME_[A-Z_]+)=(\S+)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

const PCI_ADDR = /^([0-9a-f]{4}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/;

export function predictName(nic: NicFacts): PredictedName {
  if (!nic.devPath)
    return { name: null, source: 'none', reason: 'virtual interface (no device): keeps its name' };
  if (nic.nameAssignType === 2)
    return { name: nic.name, source: 'kernel', reason: 'the kernel already names it predictably' };
  if (nic.netIdOutput) {
    const p = parseProps(nic.netIdOutput);
    for (const key of [
      'ID_NET_NAME_FROM_DATABASE',
      'ID_NET_NAME_ONBOARD',
      'ID_NET_NAME_SLOT',
      'ID_NET_NAME_PATH',
    ]) {
      if (p[key]) return { name: p[key], source: 'udevadm', reason: key };
    }
  }
  const prefix = nic.wireless
    ? 'wl'
    : nic.type === undefined || nic.type === 1
      ? 'en'
      : nic.type === 32
        ? 'ib'
        : null;
  if (!prefix)
    return { name: null, source: 'none', reason: `link type ${nic.type} has no predictable name rule here` };
  const pci = nic.devPath
    .split('/')
    .reverse()
    .map((c) => PCI_ADDR.exec(c))
    .find((m) => m !== null);
  if (!pci) {
    return {
      name: null,
      source: 'none',
      reason:
        nic.netIdOutput !== undefined
          ? 'udevadm gave no name and it is not a PCI device'
          : 'not a PCI device; unknown without udevadm',
    };
  }
  const [, domainHex, busHex, slotHex, funcText] = pci;
  const domain = parseInt(domainHex, 16);
  const func = Number(funcText);
  const suffix = (func > 0 ? `f${func}` : '') + (nic.devPort && nic.devPort > 0 ? `d${nic.devPort}` : '');
  const acpi = nic.acpiIndex ?? nic.index;
  if (acpi !== undefined && acpi > 0 && acpi <= 16383) {
    return {
      name: `${prefix}o${acpi}${nic.devPort && nic.devPort > 0 ? `d${nic.devPort}` : ''}`,
      source: 'sysfs',
      reason: 'ID_NET_NAME_ONBOARD (from acpi_index)',
    };
  }
  const slotKey = `${domainHex}:${busHex}:${slotHex}`;
  const slot = nic.slots?.[slotKey];
  const domainPart = domain > 0 ? `P${domain}` : '';
  if (slot && /^[0-9]+$/.test(slot)) {
    return {
      name: `${prefix}${domainPart}s${slot}${suffix}`,
      source: 'sysfs',
      reason: 'ID_NET_NAME_SLOT (from /sys/bus/pci/slots)',
    };
  }
  const name = `${prefix}${domainPart}p${parseInt(busHex, 16)}s${parseInt(slotHex, 16)}${suffix}`;
  return { name, source: 'sysfs', reason: 'ID_NET_NAME_PATH (from the PCI address)' };
}
