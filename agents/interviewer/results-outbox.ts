import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { log } from '@livekit/agents';
import type { Answer } from './user-management.client';

// R-G2: results are never lost. Before the first delivery attempt they are written to a spool
// folder (one JSON file per session, replaced atomically), and a file leaves the folder only when
// user-management took it, or refused it for good (then it moves to refused/, for a person). The
// job process tries for a while; the worker process sweeps the folder on start and every minute,
// so results survive user-management being down for longer than the interview's job lives, and a
// restart of the worker itself.

export type OutboxKind = 'interview' | 'meeting';

export interface OutboxEntry {
  kind: OutboxKind;
  id: string;
  body: unknown;
  firstQueuedAt: string;
}

export type OutboxSend = (entry: OutboxEntry) => Promise<Answer<unknown>>;

export class ResultsOutbox {
  constructor(
    private readonly dir: string,
    private readonly send: OutboxSend,
  ) {}

  // agents-js's logger exists only once the CLI (worker) or the job process initialised it.
  private get logger() {
    return log().child({ component: 'results-outbox' });
  }

  private fileOf(kind: OutboxKind, id: string): string {
    return join(this.dir, `${kind}-${id.replace(/[^a-zA-Z0-9-]/g, '_')}.json`);
  }

  /** Keeps `body` until delivered, then tries to deliver it now. */
  async put(kind: OutboxKind, id: string, body: unknown): Promise<'delivered' | 'kept' | 'refused'> {
    await mkdir(this.dir, { recursive: true });
    const entry: OutboxEntry = { kind, id, body, firstQueuedAt: new Date().toISOString() };
    const file = this.fileOf(kind, id);
    await writeFile(`${file}.tmp`, JSON.stringify(entry));
    await rename(`${file}.tmp`, file);
    return this.deliver(file, entry);
  }

  /** Number of entries waiting. */
  async pending(): Promise<number> {
    return (await this.files()).length;
  }

  /** Tries every kept entry once; returns how many were delivered. */
  async flush(): Promise<number> {
    let delivered = 0;
    for (const file of await this.files()) {
      let entry: OutboxEntry;
      try {
        entry = JSON.parse(await readFile(file, 'utf8')) as OutboxEntry;
      } catch {
        continue; // being replaced right now, or unreadable: the next sweep sees it again
      }
      if ((await this.deliver(file, entry)) === 'delivered') delivered++;
    }
    return delivered;
  }

  private async files(): Promise<string[]> {
    try {
      return (await readdir(this.dir)).filter((f) => f.endsWith('.json')).map((f) => join(this.dir, f));
    } catch {
      return [];
    }
  }

  private async deliver(file: string, entry: OutboxEntry): Promise<'delivered' | 'kept' | 'refused'> {
    let answer: Answer<unknown>;
    try {
      answer = await this.send(entry);
    } catch (err) {
      this.logger.warn({ kind: entry.kind, id: entry.id, err: (err as Error).message }, 'results kept for later');
      return 'kept';
    }
    if (answer.outcome === 'ok') {
      await rm(file, { force: true });
      this.logger.info({ kind: entry.kind, id: entry.id }, 'results delivered');
      return 'delivered';
    }
    // 4xx: sending the same body again cannot succeed. Keep it where a person can look.
    const refusedDir = join(this.dir, 'refused');
    await mkdir(refusedDir, { recursive: true });
    await rename(file, join(refusedDir, file.slice(this.dir.length + 1))).catch(() => undefined);
    this.logger.error({ kind: entry.kind, id: entry.id, answer }, 'user-management refused the results');
    return 'refused';
  }
}
