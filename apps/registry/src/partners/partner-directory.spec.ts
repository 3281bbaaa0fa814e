import type { WorkingDayCalendar } from '@cd/domain';
import type { Partner } from './partner';
import { PartnerDirectory } from './partner-directory';
import type { PartnersRepository } from './partners.repository';

const bank = (active: boolean): Partner => ({
  id: 'bank-a',
  name: 'A',
  sector: 'BANK',
  kinds: ['DISHONEST_LISTING'],
  receiptDeadline: { value: 1, unit: 'WORKING_DAYS' },
  active,
  keys: [],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('PartnerDirectory', () => {
  it.each([
    ['the stale load answers first', [0, 1]],
    ['the stale load answers last', [1, 0]],
  ])('after invalidate(), never serves what a load started before the change read (%s)', async (_name, order) => {
    let registry = [bank(true)];
    const pending: (() => void)[] = [];
    // Each load reads the registry at once and answers when the test lets it.
    const repository = {
      findAll: () => {
        const read = registry;
        return new Promise<Partner[]>((resolve) => pending.push(() => resolve(read)));
      },
    } as unknown as PartnersRepository;
    const directory = new PartnerDirectory(repository, {} as WorkingDayCalendar);
    const loaded = directory.get('bank-a');
    pending.shift()!();
    expect((await loaded)?.active).toBe(true);

    directory.invalidate(); // e.g. another change: the next call loads again…
    const during = directory.get('bank-a'); // …and that load reads the partner still active,
    registry = [bank(false)]; // then it is deactivated and the directory told so
    directory.invalidate();
    const after = directory.get('bank-a');
    expect(pending).toHaveLength(2);
    const loads = [...pending];
    for (const i of order) {
      loads[i]();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await during;
    expect((await after)?.active).toBe(false);
    expect((await directory.get('bank-a'))?.active).toBe(false);
  });
});
