import { SignatureVerifierPool, type SignatureJob } from '@cd/contracts';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { verify } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * Checks partners' receipt signatures on worker threads. Ed25519 verification is ~80 µs per receipt
 * on this class of machine; on the event loop it was the largest share of receipt intake, and it held
 * up every request meanwhile. A pool whose thread died is replaced at the next batch, and that batch is
 * checked on the event loop instead: intake never stops for it. `RECEIPT_VERIFY_THREADS=0` checks on
 * the event loop always.
 */
@Injectable()
export class ReceiptVerifier implements OnModuleDestroy {
  private readonly logger = new Logger(ReceiptVerifier.name);
  private pool?: SignatureVerifierPool;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** For each job, whether the signature verifies (false where node:crypto would throw). */
  async verify(jobs: readonly SignatureJob[]): Promise<boolean[]> {
    const threads = this.config.receipts.verifyThreads;
    if (jobs.length === 0) return [];
    if (threads === 0 || this.closed) return jobs.map(verifyHere);
    try {
      this.pool ??= new SignatureVerifierPool(threads);
      return await this.pool.verify(jobs);
    } catch (error) {
      this.logger.error(`receipt verifier threads failed (${(error as Error).message}); this batch is checked on the event loop, new threads start with the next`);
      const failed = this.pool;
      this.pool = undefined;
      await failed?.close().catch(() => undefined);
      return jobs.map(verifyHere);
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    await this.pool?.close();
  }
}

function verifyHere(job: SignatureJob): boolean {
  try {
    return verify(null, job.data, job.key, job.signature);
  } catch {
    return false;
  }
}
