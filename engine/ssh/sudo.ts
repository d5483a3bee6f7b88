// Running a command through `sudo -S` with a password, writing the password only when sudo asks for it. Sudo does not
// always ask: a NOPASSWD rule for the command, `!authenticate`, or a PAM module that needs no password let it run the
// command at once, and a password sent up front would then be the command's first line of input (a file-writing
// script would write it to the target). So sudo gets a prompt unique to this call (`-p`), the command is wrapped so
// that it first prints a marker unique to this call on stderr, and the exchange watches stderr:
//   - the prompt appears → the password is written (once; a second prompt means it was wrong: the input is closed);
//   - the marker appears → sudo has let the command run: only now does the command's own input flow.
// Prompt and marker are removed from the stderr the caller sees. Nothing is written before one of them appears.
import * as crypto from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import type { ExecOptions, ExecResult } from './session';

/** The argv that runs `argv` as root through sudo with this prompt, printing `marker` on stderr when it starts. */
export function sudoArgv(argv: readonly string[], prompt: string, marker: string): string[] {
  // `$0` is the marker (no `%`, no shell syntax: it is a positional parameter, never parsed as code).
  return [
    'sudo',
    '-k',
    '-S',
    '-p',
    prompt,
    '--',
    'sh',
    '-c',
    'printf %s "$0" >&2; exec "$@"',
    marker,
    ...argv,
  ];
}

/** A fresh prompt and marker: random, so no output of the target can be mistaken for them. */
export function sudoTokens(): { prompt: string; marker: string } {
  const nonce = crypto.randomBytes(12).toString('hex');
  // sudo expands %-escapes in the prompt: none here.
  return { prompt: `[nixkit-sudo-${nonce}] password: `, marker: `[nixkit-sudo-ran-${nonce}]` };
}

export type Exec = (argv: readonly string[], options: ExecOptions) => Promise<ExecResult>;

export interface SudoResult extends ExecResult {
  /** sudo asked for the password (and got it). */
  asked: boolean;
  /** The marker came: sudo let the command run. */
  started: boolean;
}

/** Runs argv as root through `sudo -S`, answering its prompt with `password` only when it appears. */
export async function execWithSudoPassword(
  exec: Exec,
  argv: readonly string[],
  password: string,
  options: ExecOptions = {},
): Promise<SudoResult> {
  const { prompt, marker } = sudoTokens();
  const promptBytes = Buffer.from(prompt);
  const markerBytes = Buffer.from(marker);
  const input = new PassThrough();
  const given = options.stdin;
  let head: Buffer = Buffer.alloc(0);
  let asked = false;
  let prompts = 0;
  let started = false;
  const stderr: Buffer[] = [];
  const forward = (chunk: Buffer) => {
    if (chunk.length === 0) return;
    stderr.push(chunk);
    options.onStderr?.(chunk);
  };
  // An input that fails before the command started fails the command too (never an unhandled 'error').
  if (given instanceof Readable) given.once('error', (e) => input.destroy(e));
  const startInput = () => {
    if (given instanceof Readable) given.pipe(input);
    else input.end(given ?? '');
  };
  const onStderr = (chunk: Buffer) => {
    if (started) return forward(chunk);
    // Before the marker only sudo speaks (a lecture, "Sorry, try again", the prompt): hold it until it is whole.
    head = Buffer.concat([head, chunk]);
    for (let i = head.indexOf(promptBytes); i >= 0; i = head.indexOf(promptBytes)) {
      head = Buffer.concat([head.subarray(0, i), head.subarray(i + promptBytes.length)]);
      prompts++;
      if (prompts === 1) {
        asked = true;
        input.write(password + '\n');
      } else input.end(); // the password was wrong: let sudo give up rather than wait
    }
    const m = head.indexOf(markerBytes);
    if (m >= 0) {
      started = true;
      const before = head.subarray(0, m);
      const after = head.subarray(m + markerBytes.length);
      head = Buffer.alloc(0);
      forward(before);
      forward(after);
      startInput();
    }
  };
  const r = await exec(sudoArgv(argv, prompt, marker), { ...options, stdin: input, onStderr });
  if (!started) forward(head);
  if (!input.writableEnded) input.end();
  if (given instanceof Readable && !started) given.unpipe(input);
  return { ...r, stderr: Buffer.concat(stderr), asked, started };
}
