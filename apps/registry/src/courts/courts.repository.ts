import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CourtRecord } from './court.record';

@Injectable()
export class CourtsRepository {
  private readonly known = new Map<string, CourtRecord>();

  constructor(private readonly dataSource: DataSource) {}

  /** Courts change rarely; a found court is cached for the life of the process. */
  async findByCode(code: string): Promise<CourtRecord | null> {
    const cached = this.known.get(code);
    if (cached) return cached;
    const court = await this.dataSource.getRepository(CourtRecord).findOneBy({ code });
    if (court) this.known.set(code, court);
    return court;
  }
}
