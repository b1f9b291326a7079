import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { LOG_DIR } from './paths';

export interface ManagedProcessOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Also copy output to this process's stdout with a "[name]" prefix. */
  echo?: boolean;
  logDir?: string;
}

const running = new Set<ManagedProcess>();

// If the supervising process dies without a clean shutdown, take the children with it.
process.once('exit', () => {
  for (const proc of running) proc.killNow();
});

/**
 * A child process in its own process group (so stopping it also stops the children it forks,
 * such as the agent's job processes), with its output in .parley/logs/<name>.log.
 */
export class ManagedProcess {
  readonly logFile: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;

  private constructor(readonly options: ManagedProcessOptions) {
    const logDir = options.logDir ?? LOG_DIR;
    mkdirSync(logDir, { recursive: true });
    this.logFile = join(logDir, `${options.name}.log`);
    this.log = createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(`\n--- ${new Date().toISOString()} starting ${options.command} ${options.args.join(' ')}\n`);
    this.child = spawn(options.command, options.args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.on('data', (chunk: Buffer) => {
        this.log.write(chunk);
        if (options.echo) process.stdout.write(prefixLines(options.name, chunk.toString()));
      });
    }
    this.exited = new Promise((resolve) => {
      this.child.on('error', (err) => {
        this.log.write(`spawn error: ${err.message}\n`);
        this.exitInfo = { code: -1, signal: null };
        running.delete(this);
        resolve(this.exitInfo);
      });
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        running.delete(this);
        resolve(this.exitInfo);
      });
    });
    running.add(this);
  }

  static start(options: ManagedProcessOptions): ManagedProcess {
    return new ManagedProcess(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Undefined while running; a description of how it ended otherwise. */
  exitDescription(): string | undefined {
    if (!this.exitInfo) return undefined;
    return `${this.options.name} exited (code ${this.exitInfo.code}, signal ${this.exitInfo.signal}); last log lines:\n${this.logTail()}`;
  }

  logTail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM to the whole group, then SIGKILL after `graceMs`. Resolves once it has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitInfo) return;
    this.signalGroup('SIGTERM');
    const timer = setTimeout(() => this.signalGroup('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
    // Children the process forked may outlive it; the group signal reaches them.
    this.signalGroup('SIGKILL');
    this.log.end();
  }

  killNow(): void {
    this.signalGroup('SIGKILL');
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (!this.child.pid) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // already gone
    }
  }
}

function prefixLines(name: string, text: string): string {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => `[${name}] ${line}\n`)
    .join('');
}
