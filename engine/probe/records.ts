// The probe script's output framing (probe-script.ts writes it): named records with explicit lengths, so no tool's
// output can be mistaken for another's. Broken framing throws; nothing is guessed.
import { ProbeError } from '../errors';

/** Splits the script's output into records; throws ProbeError on broken framing (never guesses). */
export function parseRecords(output: Buffer): { name: string; value: Buffer }[] {
  const records: { name: string; value: Buffer }[] = [];
  let pos = 0;
  while (pos < output.length) {
    const nl = output.indexOf(0x0a, pos);
    if (nl < 0) throw new ProbeError(`probe output ends inside a record header at byte ${pos}`);
    const header = output.subarray(pos, nl).toString('latin1');
    const m = /^R (\d{1,9}) (\d{1,9})$/.exec(header);
    if (!m) throw new ProbeError(`probe output is not in the expected format at byte ${pos}`);
    const nameLen = Number(m[1]);
    const valueLen = Number(m[2]);
    const start = nl + 1;
    const end = start + nameLen + valueLen;
    if (end >= output.length) throw new ProbeError(`probe output is truncated at byte ${pos}`);
    if (output[end] !== 0x0a) throw new ProbeError(`probe record at byte ${pos} has the wrong length`);
    records.push({
      name: output.subarray(start, start + nameLen).toString('utf8'),
      value: output.subarray(start + nameLen, end),
    });
    pos = end + 1;
  }
  return records;
}
