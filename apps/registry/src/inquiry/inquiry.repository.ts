import type { RestrictionState } from '@cd/domain';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IdentifierHasher } from '../common/identifier-hasher';
import { contextOf } from '../crypto/encrypted-columns';
import { FieldCipher } from '../crypto/field-cipher';

export interface StateWithCourt {
  state: RestrictionState;
  courtName: string;
}

interface Row {
  id: string;
  version: number;
  state: string;
  court_name: string;
}

export interface PublishedListingSearch {
  /** Full identifier value: looked up through the keyed hash only, so a partial number matches nothing. */
  identifierValue?: string;
  /** Exact subject name. */
  name?: string;
  offset: number;
  limit: number;
}

@Injectable()
export class InquiryRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: IdentifierHasher,
    private readonly cipher: FieldCipher,
  ) {}

  /** Every restriction naming the identifier, as subject or as one of an organisation's persons; newest first. */
  async concerning(identifierValue: string, limit: number): Promise<StateWithCourt[]> {
    const hash = this.hasher.hash(identifierValue);
    const rows: Row[] = await this.dataSource.query(
      `SELECT r.id, r.version, r.state, c.name AS court_name
         FROM (SELECT id FROM restrictions WHERE subject_id_hash = ?
               UNION
               SELECT restriction_id FROM restriction_persons WHERE id_hash = ?) m
         JOIN restrictions r ON r.id = m.id
         JOIN courts c ON c.code = r.court_code
        ORDER BY r.id DESC
        LIMIT ?`,
      [hash, hash, limit],
    );
    return rows.map((row) => this.toStateWithCourt(row));
  }

  /** The public list (List Rules Art. 6/7): active listings past any grace period. */
  async publishedListings(search: PublishedListingSearch, now: Date): Promise<StateWithCourt[]> {
    const where = [`r.kind = 'DISHONEST_LISTING'`, `r.status = 'ACTIVE'`, '(r.publish_after IS NULL OR r.publish_after <= ?)'];
    const params: unknown[] = [now];
    if (search.identifierValue !== undefined) {
      where.push('r.subject_id_hash = ?');
      params.push(this.hasher.hash(search.identifierValue));
    }
    if (search.name !== undefined) {
      // `=` uses ix_restrictions_public_name; the binary comparison then refuses what the
      // collation would equate (case, trailing spaces, characters outside its weight table).
      where.push('r.subject_name = ?', 'CAST(r.subject_name AS BINARY) = CAST(? AS BINARY)');
      params.push(search.name, search.name);
    }
    params.push(search.limit, search.offset);
    const rows: Row[] = await this.dataSource.query(
      `SELECT r.id, r.version, r.state, c.name AS court_name
         FROM restrictions r
         JOIN courts c ON c.code = r.court_code
        WHERE ${where.join(' AND ')}
        ORDER BY r.id DESC
        LIMIT ? OFFSET ?`,
      params,
    );
    return rows.map((row) => this.toStateWithCourt(row));
  }

  private toStateWithCourt(row: Row): StateWithCourt {
    const state = JSON.parse(this.cipher.decrypt(row.state, contextOf.restrictionState(row.id, Number(row.version)))) as RestrictionState;
    return { state, courtName: row.court_name };
  }
}
