// A Prompter on the controlling terminal for `nixkit probe` (and later `nixkit install`). Secrets are read with
// echo off and never printed. Without a terminal it answers nothing, and an unknown host key is refused with a
// message saying how to proceed (--accept-new-host-key, or connect once interactively).
import * as readline from 'node:readline';
import type { HostKeyInfo, Prompter } from '../engine/ssh/session';
import type { CliIO } from './io';

/**
 * A question on the terminal (a confirmation typed with echo), undefined without a terminal, on Ctrl-C or when the
 * command is cancelled.
 */
export function askOnTerminal(io: CliIO): (question: string) => Promise<string | undefined> {
  return (question) => {
    if (!process.stdin.isTTY) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      rl.on('SIGINT', () => {
        rl.close();
        resolve(undefined);
      });
      io.signal.addEventListener('abort', () => rl.close(), { once: true });
      rl.question(question, (a) => {
        rl.close();
        resolve(a);
      });
    });
  };
}

export class TtyPrompter implements Prompter {
  constructor(
    private readonly write: (text: string) => void,
    private readonly input: NodeJS.ReadStream = process.stdin,
  ) {}

  get interactive(): boolean {
    return this.input.isTTY === true;
  }

  /** Why the last host key was refused without asking (for the error message). */
  refusedNonInteractive = false;

  private ask(question: string, hidden: boolean): Promise<string | undefined> {
    if (!this.interactive) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const rl = readline.createInterface({ input: this.input, output: process.stderr, terminal: true });
      if (hidden) {
        // Echo off: swallow what readline would print after the question.
        const out = rl as unknown as { _writeToOutput: (s: string) => void };
        out._writeToOutput = (s: string) => {
          if (s.includes(question)) process.stderr.write(question);
        };
      }
      rl.on('SIGINT', () => {
        rl.close();
        resolve(undefined);
      });
      rl.question(question, (answer) => {
        rl.close();
        if (hidden) process.stderr.write('\n');
        resolve(answer);
      });
    });
  }

  /** A typed answer with echo (a destructive step's confirmation: the device's name); undefined without a terminal. */
  typed(question: string): Promise<string | undefined> {
    return this.ask(question, false);
  }

  password(prompt: string): Promise<string | undefined> {
    return this.ask(`${prompt}: `, true);
  }

  passphrase(keyPath: string): Promise<string | undefined> {
    return this.ask(`Passphrase for ${keyPath}: `, true);
  }

  async keyboardInteractive(
    name: string,
    instructions: string,
    prompts: { prompt: string; echo: boolean }[],
  ): Promise<string[] | undefined> {
    if (!this.interactive) return undefined;
    if (name) this.write(`${name}\n`);
    if (instructions) this.write(`${instructions}\n`);
    const answers: string[] = [];
    for (const p of prompts) {
      const a = await this.ask(p.prompt, !p.echo);
      if (a === undefined) return undefined;
      answers.push(a);
    }
    return answers;
  }

  async confirmHostKey(info: HostKeyInfo): Promise<boolean> {
    if (!this.interactive) {
      this.refusedNonInteractive = true;
      return false;
    }
    this.write(
      `The authenticity of host '${info.host}' (port ${info.port}) can't be established.\n` +
        `${info.algorithm} key fingerprint is ${info.fingerprint}.\n`,
    );
    const a = await this.ask('Trust this key and remember it (yes/no)? ', false);
    return a !== undefined && /^y(es)?$/i.test(a.trim());
  }
}
