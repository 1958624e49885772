/**
 * One of Kuji's own entry points (worker/main.ts, api/server.ts) as a real child process, the way
 * production runs it: configured by environment, killable with SIGKILL at any moment and started
 * again with the same environment. Drills and benchmarks use it to break a process for real.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../scripts/lib/paths';

export interface ManagedProcessOptions {
  /** For messages, e.g. `worker-1`. */
  name: string;
  /** Entry file relative to the repository root, e.g. `worker/main.ts`. */
  entry: string;
  /** The process's whole configuration (added to the parent's environment). */
  env: Record<string, string>;
  /** Ready when a line of its output matches, or when the probe answers true. */
  ready: { line: RegExp } | { probe: () => Promise<boolean> };
  readyTimeoutMs?: number;
}

/** The last characters of a process's output kept for failure messages. */
const LOG_TAIL_CHARS = 6000;

export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private tail = '';
  private readyLineSeen = false;
  private readonly killOnExit = () => this.child?.kill('SIGKILL');
  /** How many times it was started (restarts included). */
  starts = 0;
  /** How many times it was killed with SIGKILL. */
  kills = 0;

  constructor(readonly options: ManagedProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && !this.child.signalCode;
  }

  /** The end of what it printed (stdout and stderr, all its lives). */
  get log(): string {
    return this.tail;
  }

  /** Starts it and waits until it is ready; throws with its output if it dies or times out. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.options.name} is already running`);
    this.starts += 1;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(repoRoot, this.options.entry)],
      {
        cwd: repoRoot,
        env: { ...process.env, ...this.options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        process.removeListener('exit', this.killOnExit);
        resolve();
      }),
    );
    // One listener per life, removed when it ends: 20 restarts add no more than one.
    process.once('exit', this.killOnExit);
    // What this life printed, for the ready line (the tail spans every life and is cut short).
    let life = '';
    this.readyLineSeen = false;
    const append = (chunk: Buffer) => {
      this.tail = (this.tail + chunk.toString()).slice(-LOG_TAIL_CHARS);
      life = (life + chunk.toString()).slice(-LOG_TAIL_CHARS);
      const { ready } = this.options;
      if ('line' in ready && ready.line.test(life)) this.readyLineSeen = true;
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    await this.waitUntilReady(child);
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const { ready, name } = this.options;
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 90_000);
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode) {
        throw new Error(
          `${name} exited before it was ready (${child.exitCode ?? child.signalCode}):\n${this.tail}`,
        );
      }
      if ('line' in ready ? this.readyLineSeen : await ready.probe()) {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill('SIGKILL');
    throw new Error(`${name} was not ready within its time:\n${this.tail}`);
  }

  /** SIGKILL, as a crashed machine or an OOM kill: no draining, no goodbye. */
  async kill(): Promise<void> {
    if (!this.running) return;
    this.kills += 1;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  /** SIGTERM (graceful: a worker drains), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    process.removeListener('exit', this.killOnExit);
    if (!this.running) return;
    this.child?.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
