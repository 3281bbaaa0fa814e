import type { PartnerSector, ReceiptDeadline, RestrictionKind } from '@cd/domain';

export interface PartnerKey {
  keyId: string;
  publicKeyPem: string;
  createdAt: string;
  revokedAt?: string;
}

export interface Partner {
  id: string;
  name: string;
  sector: PartnerSector;
  kinds: RestrictionKind[];
  receiptDeadline: ReceiptDeadline;
  active: boolean;
  keys: PartnerKey[];
  createdAt: string;
  updatedAt: string;
}
