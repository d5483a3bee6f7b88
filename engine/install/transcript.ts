// The transcript of an install (and of a rescue, whose one "step" is `rescue`): every command (where it ran, destructive or not, its stdin when that is not a
// secret) and every line of its output, with timestamps, in a text file beside the install's state. Secrets are
// redacted line by line before anything is written: output is buffered per stream up to the end of a line, so a
// password split across two chunks is still caught.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { shJoin } from '../ssh/quote';
import type { PlannedCommand, StepEvent, StepId } from '../../protocol/install-state';

export type Redactor = (text: string) => string;

export function formatCommand(c: PlannedCommand): string {
  return `${c.where === 'local' ? 'local' : 'target'}${c.destructive ? ' [DESTRUCTIVE]' : ''}: ${shJoin(c.argv)}`;
}

export class Transcript {
  private fd: number | undefined;
  private readonly partial = new Map<string, string>();

  constructor(
    readonly file: string,
    private readonly redact: Redactor,
  ) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    this.fd = fs.openSync(file, 'a', 0o600);
  }

  private write(text: string): void {
    if (this.fd === undefined) return;
    fs.writeSync(this.fd, this.redact(text));
  }

  private stamp(): string {
    return new Date().toISOString();
  }

  line(text: string): void {
    this.write(`${this.stamp()} ${text.replace(/\n/g, '\n    ')}\n`);
  }

  stepStarted(id: StepId | string, title: string): void {
    this.line(`=== ${id}: ${title}`);
  }

  stepFinished(id: StepId | string, status: string, detail?: string): void {
    this.flush(id);
    this.line(`=== ${id}: ${status}${detail ? ` (${detail})` : ''}`);
  }

  event(step: StepId | string, e: StepEvent): void {
    switch (e.kind) {
      case 'command':
        this.flush(step);
        this.line(`$ ${formatCommand(e.command)}  # ${e.command.purpose}`);
        if (e.command.stdin !== undefined) this.line(`  stdin:\n${e.command.stdin.replace(/\n$/, '')}`);
        break;
      case 'output': {
        const key = `${step}/${e.stream}`;
        const text = (this.partial.get(key) ?? '') + e.text;
        const nl = text.lastIndexOf('\n');
        if (nl < 0) {
          this.partial.set(key, text);
          // A runaway line without newlines still reaches the file, in bounded pieces.
          if (text.length > 64 * 1024) this.flush(step);
          break;
        }
        this.partial.set(key, text.slice(nl + 1));
        for (const l of text.slice(0, nl).split('\n'))
          this.write(`${this.stamp()} ${e.stream === 'stderr' ? '!' : '|'} ${l}\n`);
        break;
      }
      case 'progress':
        this.line(
          `progress ${e.done}${e.total !== undefined ? `/${e.total}` : ''} ${e.unit}${e.detail ? ` ${e.detail}` : ''}`,
        );
        break;
      case 'note':
        this.flush(step);
        this.line(`note: ${e.text}`);
        break;
    }
  }

  /** Writes what is left of unfinished lines of a step. */
  flush(step: StepId | string): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${step}/${stream}`;
      const rest = this.partial.get(key);
      if (rest) this.write(`${this.stamp()} ${stream === 'stderr' ? '!' : '|'} ${rest}\n`);
      this.partial.delete(key);
    }
  }

  close(): void {
    for (const key of [...this.partial.keys()]) this.flush(key.split('/')[0] as StepId);
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}
