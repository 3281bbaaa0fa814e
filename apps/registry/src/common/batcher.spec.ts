import { Batcher } from './batcher';

describe('Batcher', () => {
  it('runs the first item at once and groups the items that arrive meanwhile, results in order', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const firstHeld = new Promise<void>((resolve) => (release = resolve));
    const batcher = new Batcher<number, string>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await firstHeld;
      return items.map((n) => `r${n}`);
    }, 3);
    const first = batcher.add(0);
    const rest = [1, 2, 3, 4, 5].map((n) => batcher.add(n));
    release();
    await expect(first).resolves.toBe('r0');
    await expect(Promise.all(rest)).resolves.toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(batches).toEqual([[0], [1, 2, 3], [4, 5]]);
  });

  it('rejects every item of a failed batch and carries on with the next', async () => {
    let calls = 0;
    const batcher = new Batcher<number, number>(async (items) => {
      calls++;
      if (items.includes(1)) throw new Error('database down');
      return items;
    }, 10);
    const results = await Promise.allSettled([batcher.add(1), batcher.add(2), batcher.add(3)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    await expect(batcher.add(4)).resolves.toBe(4);
    expect(calls).toBe(3);
  });
});
