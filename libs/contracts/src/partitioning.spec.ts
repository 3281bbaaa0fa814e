import { Partitioners } from 'kafkajs';
import { partitionForKey } from './partitioning';

describe('partitionForKey', () => {
  it('agrees with the Java-compatible default partitioner for many keys and partition counts', () => {
    const partitioner = Partitioners.DefaultPartitioner();
    for (const partitions of [1, 3, 6, 7, 12]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 1 }));
      for (let i = 0; i < 300; i++) {
        const key = `${i.toString(16)}-0190f3a2-7c1d-7abc-8def-${'x'.repeat(i % 9)}`;
        const expected = partitioner({ topic: 't', partitionMetadata: partitionMetadata as never, message: { key, value: null } });
        expect(partitionForKey(key, partitions)).toBe(expected);
      }
    }
  });
});
