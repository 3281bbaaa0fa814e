import type { RestrictionEventData } from '@cd/contracts';
import type { RestrictionStatus } from '@cd/domain';

/** What a partner holds for one restriction: the latest state it applied. Lifted ones stay, so older versions are recognised as stale. */
export interface StoredRestriction {
  version: number;
  status: RestrictionStatus;
  state: RestrictionEventData;
  /** The CloudEvent id this state came from. */
  eventId: string;
}

export interface StoredEntry extends StoredRestriction {
  id: string;
}

/** A partner's applied set. Async so a partner can back it with its own database. */
export interface RestrictionStore {
  get(id: string): Promise<StoredRestriction | undefined>;
  put(id: string, value: StoredRestriction): Promise<void>;
  delete(id: string): Promise<void>;
  entries(): Promise<StoredEntry[]>;
  clear(): Promise<void>;
  /** Makes every earlier write durable; called before receipts are sent and offsets committed. */
  flush?(): Promise<void>;
}

export class MemoryRestrictionStore implements RestrictionStore {
  protected readonly map = new Map<string, StoredRestriction>();

  async get(id: string): Promise<StoredRestriction | undefined> {
    return this.map.get(id);
  }

  async put(id: string, value: StoredRestriction): Promise<void> {
    this.map.set(id, value);
  }

  async delete(id: string): Promise<void> {
    this.map.delete(id);
  }

  async entries(): Promise<StoredEntry[]> {
    return [...this.map].map(([id, value]) => ({ id, ...value }));
  }

  async clear(): Promise<void> {
    this.map.clear();
  }

  async flush(): Promise<void> {}
}
