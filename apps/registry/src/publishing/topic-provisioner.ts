import { allTopics } from '@cd/contracts';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics';
import { MessageBus, type TopicPolicyMismatch } from './message-bus';

const RECHECK_MS = 60_000;

export interface TopicsStatus {
  /** The topics exist and their cleanup policies were read (re-read every minute). */
  checked: boolean;
  mismatches: TopicPolicyMismatch[];
  lastError?: string;
}

/**
 * Ensures the service's topics exist, with the cleanup policies of the contract, on every
 * instance at start-up: whether or not it runs the relay or holds its lease. Start-up does not
 * wait for Kafka; while it is unreachable the attempt is repeated in the background with backoff.
 * An existing topic with another cleanup.policy is left alone (changing it is an operator's call)
 * but logged as an error, counted in a metric and reported by readiness.
 */
@Injectable()
export class TopicProvisioner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TopicProvisioner.name);
  private current: TopicsStatus = { checked: false, mismatches: [] };
  private attempt?: Promise<void>;
  private background?: Promise<void>;
  private stopped = false;
  private wake?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly bus: MessageBus,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.background = this.watch();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.background;
  }

  get status(): TopicsStatus {
    return this.current;
  }

  /** Resolves once the topics exist (one attempt now unless done already, joined with one under way); rejects if Kafka failed. */
  ensure(): Promise<void> {
    if (this.current.checked) return Promise.resolve();
    this.attempt ??= this.check().finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  private async check(): Promise<void> {
    try {
      const mismatches = await this.bus.ensureTopics(allTopics(this.config.kafka.topicPrefix));
      this.metrics.topicPolicyMismatch.reset();
      for (const m of mismatches) {
        this.metrics.topicPolicyMismatch.set({ topic: m.topic, expected: m.expected, actual: m.actual }, 1);
        this.logger.error(`topic ${m.topic} has cleanup.policy=${m.actual}, the contract requires ${m.expected}; change it on the broker`);
      }
      this.current = { checked: true, mismatches };
    } catch (error) {
      this.current = { ...this.current, lastError: (error as Error).message };
      throw error;
    }
  }

  /**
   * Until the topics are ensured, retries with backoff; then reads their policies again every
   * RECHECK_MS, so a policy fixed (or broken) on the broker shows in readiness without a restart.
   */
  private async watch(): Promise<void> {
    for (let failures = 1; !this.stopped; ) {
      let delay = RECHECK_MS;
      try {
        if (this.current.checked) await this.check();
        else await this.ensure();
        failures = 1;
      } catch (error) {
        if (!this.current.checked) delay = Math.min(this.config.relay.maxBackoffMs, 500 * 2 ** Math.min(failures++, 10));
        this.logger.warn(`could not ensure the topics (${(error as Error).message}); retrying in ${delay} ms`);
      }
      // Stopped while checking: the wake-up was called before there was a wait to cut short.
      if (this.stopped) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
