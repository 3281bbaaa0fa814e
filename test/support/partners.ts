// Registers partners through the admin API and signs receipts as they would.
import type { ReceiptDeadline } from '@cd/domain';
import { generateSigningKeyPair, signReceipt, type Receipt, type ReceiptOutcome } from '@cd/contracts';
import type { PartnerSector, RestrictionKind } from '@cd/domain';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { TestRegistry } from './registry';

export interface TestPartner {
  id: string;
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
  token: string;
  receipt(fields: { restrictionId: string; version: number; eventId: string; outcome?: ReceiptOutcome; reason?: string }): Receipt;
}

export async function registerPartner(
  registry: TestRegistry,
  sector: PartnerSector,
  options: { kinds?: RestrictionKind[]; deadline?: ReceiptDeadline; id?: string } = {},
): Promise<TestPartner> {
  const id = options.id ?? `${sector.toLowerCase().replace(/_/g, '-')}-${randomBytes(3).toString('hex')}`;
  const keyId = `${id}-k1`;
  const { privateKeyPem, publicKeyPem } = generateSigningKeyPair();
  await request(registry.app.getHttpServer())
    .post('/v1/admin/partners')
    .set('authorization', `Bearer ${registry.token({ role: 'admin' })}`)
    .send({
      id,
      name: `测试机构 ${id}`,
      sector,
      ...(options.kinds ? { kinds: options.kinds } : {}),
      receiptDeadline: options.deadline ?? { value: 1, unit: 'WORKING_DAYS' },
      publicKeys: [{ keyId, publicKeyPem }],
    })
    .expect(201);
  const token = registry.token({ role: 'partner', partner: id });
  const partner: TestPartner = {
    id,
    keyId,
    privateKeyPem,
    publicKeyPem,
    token,
    // Reads the key from the object, so a test can rotate it by assigning keyId and privateKeyPem.
    receipt: ({ outcome = 'APPLIED', ...fields }) =>
      signReceipt(
        {
          partnerId: id,
          ...fields,
          outcome,
          ...(fields.reason ? { reason: fields.reason } : {}),
          partnerReference: `ref-${fields.version}`,
          time: new Date().toISOString(),
          keyId: partner.keyId,
        },
        partner.privateKeyPem,
      ),
  };
  return partner;
}
