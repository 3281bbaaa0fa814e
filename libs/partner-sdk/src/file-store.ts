import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MemoryRestrictionStore, type StoredRestriction } from './store';

export const FILE_STORE_FORMAT = 'cd-partner-store/1';

interface StoreFile {
  format: typeof FILE_STORE_FORMAT;
  savedAt: string;
  restrictions: Record<string, StoredRestriction>;
}

export interface FileRestrictionStoreOptions {
  /** Writes are batched: at most one file write per this many ms (flush() writes at once). Default 200. */
  flushDelayMs?: number;
  /** Failures of background (timer) writes; flush() itself throws. */
  onError?: (error: unknown) => void;
}

/**
 * The applied set in memory, persisted as one JSON file. Every write replaces the
 * file atomically (temp file, fsync, rename), so a crash leaves the old or the new
 * content, never a torn file.
 */
export class FileRestrictionStore extends MemoryRestrictionStore {
  private dirty = false;
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;

  private constructor(
    readonly path: string,
    private readonly flushDelayMs: number,
    private readonly onError: (error: unknown) => void,
  ) {
    super();
  }

  static async open(path: string, options: FileRestrictionStoreOptions = {}): Promise<FileRestrictionStore> {
    const store = new FileRestrictionStore(path, options.flushDelayMs ?? 200, options.onError ?? (() => undefined));
    const content = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (content !== undefined) {
      let parsed: Partial<StoreFile>;
      try {
        parsed = JSON.parse(content);
      } catch {
        throw new Error(`restriction store ${path} is not valid JSON; wipe it and bootstrap`);
      }
      if (parsed?.format !== FILE_STORE_FORMAT || typeof parsed.restrictions !== 'object' || parsed.restrictions === null) {
        throw new Error(`restriction store ${path} is not in format ${FILE_STORE_FORMAT}; wipe it and bootstrap`);
      }
      for (const [id, value] of Object.entries(parsed.restrictions)) store.map.set(id, value);
    }
    return store;
  }

  override async put(id: string, value: StoredRestriction): Promise<void> {
    await super.put(id, value);
    this.changed();
  }

  override async delete(id: string): Promise<void> {
    await super.delete(id);
    this.changed();
  }

  override async clear(): Promise<void> {
    await super.clear();
    this.changed();
  }

  override async flush(): Promise<void> {
    this.cancelTimer();
    while (this.dirty || this.writing) {
      if (this.writing) {
        // A failed background write left `dirty` set; the next round retries and throws to us.
        await this.writing.catch(() => undefined);
        continue;
      }
      await this.writeOnce();
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch(this.onError);
    }, this.flushDelayMs);
    this.timer.unref();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private writeOnce(): Promise<void> {
    this.dirty = false;
    const file: StoreFile = { format: FILE_STORE_FORMAT, savedAt: new Date().toISOString(), restrictions: Object.fromEntries(this.map) };
    const writing = atomicWrite(this.path, JSON.stringify(file))
      .catch((error: unknown) => {
        this.dirty = true;
        throw error;
      })
      .finally(() => {
        this.writing = undefined;
      });
    this.writing = writing;
    return writing;
  }
}

export async function atomicWrite(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  // The rename itself is durable once the directory entry is synced (best effort: not every platform allows it).
  const directory = await open(dirname(path), 'r').catch(() => undefined);
  await directory?.sync().catch(() => undefined);
  await directory?.close();
}
