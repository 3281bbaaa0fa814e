import type { Receipt } from '@cd/contracts';
import { inWaves } from './receipts.service';

const receipt = (partnerId: string, restrictionId: string, version: number, outcome: Receipt['outcome'] = 'APPLIED') =>
  ({ partnerId, restrictionId, version, outcome }) as Receipt;

describe('inWaves', () => {
  it('puts at most one receipt per delivery in a wave, in arrival order', () => {
    const a1 = receipt('bank', 'r1', 1);
    const b1 = receipt('air', 'r1', 1);
    const a2 = receipt('bank', 'r1', 2, 'FAILED');
    const c1 = receipt('bank', 'r2', 1);
    const a3 = receipt('bank', 'r1', 3);
    expect(inWaves([a1, b1, a2, c1, a3])).toEqual([[a1, b1, c1], [a2], [a3]]);
  });

  it('gives no waves for no receipts', () => {
    expect(inWaves([])).toEqual([]);
  });
});
