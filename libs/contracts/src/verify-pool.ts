import { createPublicKey, type KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/** One Ed25519 check: the signed bytes, the decoded signature and the key, as node:crypto's verify(null, …) takes them. */
export interface SignatureJob {
  data: Uint8Array;
  signature: Uint8Array;
  key: KeyObject;
}

/**
 * One thread per core, none on a single core (nothing to gain there). At most 4: the main thread's
 * own share of each event (Kafka, parsing, canonical JSON, applying) limits the rate before more would help.
 */
export function defaultVerifyThreads(): number {
  const cores = availableParallelism();
  return cores > 1 ? Math.min(cores, 4) : 0;
}

// Evaluated in each worker as CommonJS with node:crypto only, so the pool needs no file of its own
// under ts-node, jest (swc) or the compiled build. A batch arrives packed into transferred buffers
// (bytes and signatures back to back, with their end offsets) and the answers go back as 1/0.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const keys = [];
parentPort.on('message', (message) => {
  if (message.type === 'keys') {
    for (const [index, der] of message.keys) keys[index] = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
    return;
  }
  const { id, keyIndexes, data, dataEnds, signatures, signatureEnds } = message;
  const results = new Uint8Array(keyIndexes.length);
  let dataStart = 0;
  let signatureStart = 0;
  for (let i = 0; i < keyIndexes.length; i++) {
    try {
      results[i] = verify(null, data.subarray(dataStart, dataEnds[i]), keys[keyIndexes[i]], signatures.subarray(signatureStart, signatureEnds[i])) ? 1 : 0;
    } catch {
      results[i] = 0;
    }
    dataStart = dataEnds[i];
    signatureStart = signatureEnds[i];
  }
  parentPort.postMessage({ id, results }, [results.buffer]);
});
`;

interface Pending {
  resolve: (results: Uint8Array) => void;
  reject: (error: unknown) => void;
  jobs: number;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  queued: number;
}

/** Slices smaller than this are not worth a message round trip of their own. */
const MIN_SLICE = 16;

/**
 * Ed25519 verification on a few worker threads. Answers are the same as verify(null, …) on the
 * main thread (false where it would throw). Keys are sent to the workers once, as SPKI DER.
 * close() terminates the workers; calls after it, or after a worker died, are refused.
 */
export class SignatureVerifierPool {
  private readonly workers: PoolWorker[];
  private readonly keyIndexes = new Map<KeyObject, number>();
  private nextRequest = 0;
  private failure?: Error;

  /** onFailure: a thread died (not by close()); the pool refuses work from then on. */
  constructor(
    readonly size: number,
    private readonly onFailure?: (error: Error) => void,
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new Error(`a verifier pool needs at least one thread, got ${size}`);
    this.workers = Array.from({ length: size }, () => this.spawn());
  }

  async verify(jobs: readonly SignatureJob[]): Promise<boolean[]> {
    if (this.failure) throw this.failure;
    if (jobs.length === 0) return [];
    const keyIndexes = Uint16Array.from(jobs, (job) => this.keyIndex(job.key));
    const sliceSize = Math.max(MIN_SLICE, Math.ceil(jobs.length / this.workers.length));
    const slices: Promise<Uint8Array>[] = [];
    for (let start = 0; start < jobs.length; start += sliceSize) {
      const end = Math.min(jobs.length, start + sliceSize);
      slices.push(this.send(jobs.slice(start, end), keyIndexes.slice(start, end)));
    }
    const answers: boolean[] = [];
    for (const results of await Promise.all(slices)) for (const result of results) answers.push(result === 1);
    return answers;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the verifier pool is closed');
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private spawn(): PoolWorker {
    const entry: PoolWorker = { worker: new Worker(WORKER_SOURCE, { eval: true }), pending: new Map(), queued: 0 };
    entry.worker.on('message', ({ id, results }: { id: number; results: Uint8Array }) => {
      const request = entry.pending.get(id);
      if (!request) return;
      entry.pending.delete(id);
      entry.queued -= request.jobs;
      if (entry.pending.size === 0) entry.worker.unref();
      request.resolve(results);
    });
    entry.worker.on('error', (error) => this.fail(error));
    entry.worker.on('exit', (code) => this.fail(new Error(`a verifier thread exited (code ${code})`)));
    // An idle thread does not keep the process alive, one with work in hand does (listeners above ref it).
    entry.worker.unref();
    return entry;
  }

  private fail(error: Error): void {
    if (!this.failure) {
      this.failure = error;
      this.onFailure?.(error);
    }
    for (const { pending } of this.workers) {
      for (const request of pending.values()) request.reject(this.failure);
      pending.clear();
    }
  }

  private send(jobs: readonly SignatureJob[], keyIndexes: Uint16Array<ArrayBuffer>): Promise<Uint8Array> {
    const entry = this.workers.reduce((least, candidate) => (candidate.queued < least.queued ? candidate : least));
    const dataEnds = new Uint32Array(jobs.length);
    const signatureEnds = new Uint32Array(jobs.length);
    let dataLength = 0;
    let signatureLength = 0;
    jobs.forEach((job, i) => {
      dataEnds[i] = dataLength += job.data.length;
      signatureEnds[i] = signatureLength += job.signature.length;
    });
    const data = new Uint8Array(dataLength);
    const signatures = new Uint8Array(signatureLength);
    jobs.forEach((job, i) => {
      data.set(job.data, i === 0 ? 0 : dataEnds[i - 1]);
      signatures.set(job.signature, i === 0 ? 0 : signatureEnds[i - 1]);
    });
    const id = this.nextRequest++;
    return new Promise<Uint8Array>((resolve, reject) => {
      if (entry.pending.size === 0) entry.worker.ref();
      entry.pending.set(id, { resolve, reject, jobs: jobs.length });
      entry.queued += jobs.length;
      const buffers = [keyIndexes.buffer, data.buffer, dataEnds.buffer, signatures.buffer, signatureEnds.buffer];
      entry.worker.postMessage({ id, keyIndexes, data, dataEnds, signatures, signatureEnds }, buffers);
    });
  }

  /** A key new to the pool goes to every worker before the first batch that uses it (messages to a worker stay in order). */
  private keyIndex(key: KeyObject): number {
    let index = this.keyIndexes.get(key);
    if (index === undefined) {
      index = this.keyIndexes.size;
      if (index > 0xffff) throw new Error('too many distinct keys for the verifier pool');
      const der = (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
      this.keyIndexes.set(key, index);
      for (const { worker } of this.workers) worker.postMessage({ type: 'keys', keys: [[index, der]] });
    }
    return index;
  }
}
