import { histogram, LATENCY_BUCKETS_MS, percentile } from './supervision.service';

describe('time-to-receipt figures', () => {
  it('counts each latency in the first bucket whose upper bound it does not exceed; the last bucket is open', () => {
    const buckets = histogram([0, 1_000, 1_001, 59_999, 60_000, 3_600_001, 259_200_000, 259_200_001, 10 * 86_400_000]);
    expect(buckets.map((b) => b.upToMs)).toEqual([...LATENCY_BUCKETS_MS, null]);
    expect(buckets.map((b) => b.count)).toEqual([2, 1, 2, 0, 0, 1, 1, 2]);
  });

  it('an empty list has every bucket at zero', () => {
    expect(histogram([]).every((b) => b.count === 0)).toBe(true);
  });

  it('nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(percentile(sorted, 0.5)).toBe(100);
    expect(percentile(sorted, 0.95)).toBe(190);
    expect(percentile([42], 0.95)).toBe(42);
  });
});
