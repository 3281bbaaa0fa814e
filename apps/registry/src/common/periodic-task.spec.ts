import { PeriodicTask } from './periodic-task';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PeriodicTask', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a pass per interval and never two at once', async () => {
    const gates: ReturnType<typeof deferred>[] = [];
    const task = new PeriodicTask('scan', () => {
      const gate = deferred();
      gates.push(gate);
      return gate.promise;
    }, { warn: jest.fn() });
    task.start(100);
    jest.advanceTimersByTime(100);
    expect(gates).toHaveLength(1);
    jest.advanceTimersByTime(300); // the first pass is still under way: no second one
    expect(gates).toHaveLength(1);
    gates[0].resolve();
    await Promise.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(task.running).toBe(false);
    jest.advanceTimersByTime(100);
    expect(gates).toHaveLength(2);
    gates[1].resolve();
    await task.stop();
  });

  it('logs a failed pass and tries again at the next tick', async () => {
    const warn = jest.fn();
    let calls = 0;
    const task = new PeriodicTask('overdue scan', async () => {
      calls++;
      if (calls === 1) throw new Error('database gone');
    }, { warn });
    task.start(50, { immediately: true });
    await jest.advanceTimersByTimeAsync(0);
    expect(warn).toHaveBeenCalledWith('overdue scan failed: database gone');
    await jest.advanceTimersByTimeAsync(50);
    expect(calls).toBe(2);
    await task.stop();
  });

  it('stop() waits for the pass under way and no pass starts after it', async () => {
    const gate = deferred();
    let calls = 0;
    const task = new PeriodicTask('expiry', () => {
      calls++;
      return gate.promise;
    }, { warn: jest.fn() });
    task.start(10, { immediately: true });
    let stopped = false;
    const stopping = task.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    gate.resolve();
    await stopping;
    expect(stopped).toBe(true);
    task.trigger();
    await jest.advanceTimersByTimeAsync(100);
    expect(calls).toBe(1);
  });
});
