/**
 * Group commit for concurrent callers: items added while a batch is being processed wait and
 * go together in the next one (at most `maxBatch` each), so N concurrent requests cost a few
 * database round trips instead of N transactions. One batch runs at a time; an idle batcher
 * starts at once (no timer, no added latency). `run` returns one result per item, in order;
 * if it throws, every item of that batch gets the error.
 */
export class Batcher<I, O> {
  private queue: { item: I; resolve: (result: O) => void; reject: (error: unknown) => void }[] = [];
  private running = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxBatch: number,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const results = await this.run(batch.map((entry) => entry.item));
          batch.forEach((entry, i) => entry.resolve(results[i]));
        } catch (error) {
          batch.forEach((entry) => entry.reject(error));
        }
      }
    } finally {
      this.running = false;
    }
  }
}
