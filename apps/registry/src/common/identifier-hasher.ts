import { createHmac } from 'node:crypto';
import { normaliseIdentifierValue } from '@cd/domain';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** Keyed hash of an identifier value: indexes find a person without the index holding the number itself. */
@Injectable()
export class IdentifierHasher {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  hash(value: string): Buffer {
    return createHmac('sha256', this.config.identifierHashKey).update(normaliseIdentifierValue(value)).digest();
  }
}
