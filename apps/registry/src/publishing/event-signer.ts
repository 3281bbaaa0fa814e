import { signEvent, type RestrictionEvent } from '@cd/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

export interface PublicEventKey {
  keyId: string;
  algorithm: 'Ed25519';
  publicKeyPem: string;
  active: boolean;
}

/** Signs events with the active service key; serves every public key, retired ones included. */
@Injectable()
export class EventSigner {
  private readonly privateKey: KeyObject;
  readonly publicKeys: PublicEventKey[];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { signingKeys, activeKeyId, retiredPublicKeys } = config.events;
    this.privateKey = createPrivateKey(signingKeys[activeKeyId]);
    this.publicKeys = [
      ...Object.entries(signingKeys).map(([keyId, pem]) => ({
        keyId,
        algorithm: 'Ed25519' as const,
        publicKeyPem: createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString(),
        active: keyId === activeKeyId,
      })),
      ...Object.entries(retiredPublicKeys).map(([keyId, publicKeyPem]) => ({ keyId, algorithm: 'Ed25519' as const, publicKeyPem, active: false })),
    ];
  }

  sign(event: RestrictionEvent): RestrictionEvent {
    return signEvent(event, { keyId: this.config.events.activeKeyId, privateKey: this.privateKey });
  }
}
