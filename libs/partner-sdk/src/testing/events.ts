// Test data: restriction events as the service would publish them, signed with a given key.
import { randomUUID } from 'node:crypto';
import { EVENT_TYPE_PREFIX, signEvent, type KeyInput, type RestrictionEvent, type RestrictionEventData } from '@cd/contracts';
import { residentIdCheckChar, type RestrictionKind, type RestrictionStatus } from '@cd/domain';

export interface EventSpec {
  id?: string;
  kind?: RestrictionKind;
  version?: number;
  status?: RestrictionStatus;
  identifierValue?: string;
}

/** A valid resident ID (GB 11643) for tests. */
export function testResidentId(sequence = '123', birth = '19800517', area = '110108'): string {
  const first17 = `${area}${birth}${sequence}`;
  return first17 + residentIdCheckChar(first17);
}

export function eventData(spec: EventSpec = {}): RestrictionEventData {
  const kind = spec.kind ?? 'DISHONEST_LISTING';
  const status = spec.status ?? 'ACTIVE';
  const data: RestrictionEventData = {
    id: spec.id ?? randomUUID(),
    kind,
    version: spec.version ?? 1,
    status,
    subject: { type: 'PERSON', name: '张三', identifier: { type: 'RESIDENT_ID', value: spec.identifierValue ?? testResidentId() } },
    affectedPersons: [],
    case: {
      caseNumber: '（2026）京0108执1234号',
      courtCode: '110108',
      enforcementBasis: { issuer: '北京市海淀区人民法院', documentNumber: '（2025）京0108民初5678号' },
    },
    decidedAt: '2026-01-05T02:00:00.000Z',
    effectiveAt: '2026-01-05T02:00:00.000Z',
  };
  if (kind === 'DISHONEST_LISTING') data.ground = 'EVADES_ENFORCEMENT';
  if (kind === 'CONSUMPTION_RESTRICTION') data.measures = ['AIR_TRAVEL', 'HIGH_SPEED_RAIL'];
  if (status === 'LIFTED') {
    data.liftedAt = '2026-03-01T02:00:00.000Z';
    data.liftReason = 'PERFORMED';
  }
  return data;
}

export function signedEvent(spec: EventSpec, key: { keyId: string; privateKey: KeyInput }): RestrictionEvent {
  const data = eventData(spec);
  const change = data.status === 'LIFTED' ? 'lifted' : data.version === 1 ? 'imposed' : 'amended';
  return signEvent(
    {
      specversion: '1.0',
      id: randomUUID(),
      source: '/credit-discipline/registry',
      type: `${EVENT_TYPE_PREFIX}.${change}`,
      subject: data.id,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
    },
    key,
  );
}
