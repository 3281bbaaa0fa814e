import { receiptsTopic } from '@cd/contracts';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { MessageBus, type Subscription } from '../publishing/message-bus';
import { ReceiptsService } from './receipts.service';

/**
 * Consumes the receipts topic in one consumer group shared by all instances. The offset
 * moves on only after the ledger write (or the rejection); a bad message is rejected and
 * passed, never retried forever; a database failure makes the message come again.
 */
@Injectable()
export class ReceiptsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReceiptsConsumer.name);
  private subscription?: Subscription;
  private starting?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: MessageBus,
    private readonly receipts: ReceiptsService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.receipts.consumerEnabled) this.starting = this.start();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    await this.starting;
    await this.subscription?.stop();
  }

  /** Keeps trying until the broker is reachable: the service must start while Kafka is down. */
  private async start(attempt = 1): Promise<void> {
    if (this.stopped) return;
    try {
      await this.bus.ensureTopics([{ name: receiptsTopic(this.config.kafka.topicPrefix), cleanupPolicy: 'delete' }]);
      // Runs of a partition's messages, recorded a batch at a time; one lane per partition: receipts
      // are keyed by restriction id, so a restriction's receipts stay in order while the partitions'
      // database round trips overlap.
      this.subscription = await this.bus.subscribe(
        [receiptsTopic(this.config.kafka.topicPrefix)],
        this.config.receipts.groupId,
        async (messages) => {
          await this.receipts.consume(messages.map((message) => message.value));
        },
        { concurrency: this.config.kafka.topicPartitions },
      );
    } catch (error) {
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
      this.logger.warn(`receipts consumer not started (${(error as Error).message}); retrying in ${delay} ms`);
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      return this.start(attempt + 1);
    }
  }
}
