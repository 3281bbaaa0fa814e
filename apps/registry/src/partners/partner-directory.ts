import { receiptDueAt, WorkingDayCalendar, type RestrictionKind } from '@cd/domain';
import { Injectable, Logger } from '@nestjs/common';
import type { Partner } from './partner';
import { PartnersRepository } from './partners.repository';

const MAX_AGE_MS = 10_000;

/**
 * Read-mostly cache of the partner registry for hot paths (relay, receipt intake).
 * Changes made by this instance invalidate it at once; other instances' changes are
 * seen within MAX_AGE_MS, or at once on a miss (an unknown partner or key id reloads).
 */
@Injectable()
export class PartnerDirectory {
  private readonly logger = new Logger(PartnerDirectory.name);
  private partners = new Map<string, Partner>();
  private loadedAt = 0;
  private loading?: Promise<void>;
  private generation = 0;

  constructor(
    private readonly repository: PartnersRepository,
    private readonly calendar: WorkingDayCalendar,
  ) {}

  invalidate(): void {
    this.loadedAt = 0;
    // A load under way may have read the registry before the change: the next call starts another, and its result is dropped.
    this.generation++;
    this.loading = undefined;
  }

  async get(id: string): Promise<Partner | undefined> {
    await this.fresh();
    if (!this.partners.has(id)) await this.fresh(true);
    return this.partners.get(id);
  }

  async publicKey(partnerId: string, keyId: string): Promise<string | undefined> {
    const find = () => this.partners.get(partnerId)?.keys.find((k) => k.keyId === keyId && !k.revokedAt)?.publicKeyPem;
    await this.fresh();
    return find() ?? (await this.fresh(true), find());
  }

  async all(): Promise<Partner[]> {
    await this.fresh();
    return [...this.partners.values()];
  }

  async obligedFor(kind: RestrictionKind): Promise<Partner[]> {
    return (await this.all()).filter((p) => p.active && p.kinds.includes(kind));
  }

  /** Due time for each partner's receipt of something published at `publishedAt`. */
  async dueTimes(publishedAt: Date): Promise<Map<string, Date>> {
    const due = new Map<string, Date>();
    for (const partner of await this.all()) {
      try {
        due.set(partner.id, receiptDueAt(publishedAt, partner.receiptDeadline, this.calendar));
      } catch (error) {
        // A year the holiday data does not cover yet: count calendar days (hours) rather than stall publication.
        const { value, unit } = partner.receiptDeadline;
        this.logger.warn(`working-day calendar: ${(error as Error).message}; counting ${unit === 'WORKING_HOURS' ? 'hours' : 'days'} of the calendar for ${partner.id}`);
        due.set(partner.id, new Date(publishedAt.getTime() + value * (unit === 'WORKING_HOURS' ? 3_600_000 : 86_400_000)));
      }
    }
    return due;
  }

  private async fresh(force = false): Promise<void> {
    if (!force && Date.now() - this.loadedAt < MAX_AGE_MS) return;
    if (!this.loading) {
      const generation = this.generation;
      const loading: Promise<void> = this.repository
        .findAll()
        .then((partners) => {
          if (generation !== this.generation) return;
          this.partners = new Map(partners.map((p) => [p.id, p]));
          this.loadedAt = Date.now();
        })
        .finally(() => {
          if (this.loading === loading) this.loading = undefined;
        });
      this.loading = loading;
    }
    await this.loading;
  }
}
