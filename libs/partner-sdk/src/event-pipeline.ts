import { RESTRICTION_KINDS, RESTRICTION_STATUSES } from '@cd/domain';
import type { Receipt, ReceiptOutcome, RestrictionEvent } from '@cd/contracts';
import { ReceiptRejectedError } from './errors';
import type { EventVerifier, SignatureCheck } from './key-ring';

// The per-message logic of subscribe(), free of kafkajs so it can be tested with a
// memory store and a fake receipt sender. Order of effects for a run of messages:
// verify + handle each, make the store durable, send the receipts, and only then
// report the last offset that may be committed.

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | string | null;
}

export interface EventContext {
  topic: string;
  partition: number;
  offset: string;
}

export interface HandlerResult {
  outcome: ReceiptOutcome;
  /** Required for FAILED. */
  reason?: string;
  partnerReference?: string;
}

/** Returns what to confirm, or null/undefined to send no receipt for this event. Throwing stops consumption at this event (it is retried). */
export type EventHandler = (event: RestrictionEvent, context: EventContext) => Promise<HandlerResult | null | undefined | void>;

export type InvalidEventReason = 'MALFORMED' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE' | 'KEY_MISMATCH';

/** An event that was not applied because its origin or shape could not be trusted. */
export interface InvalidEvent extends EventContext {
  reason: InvalidEventReason;
  key: string | null;
  /** When the payload parsed far enough to tell. */
  eventId?: string;
  restrictionId?: string;
  version?: number;
}

export interface ReceiptRequest {
  restrictionId: string;
  version: number;
  eventId: string;
  outcome: ReceiptOutcome;
  reason?: string;
  partnerReference?: string;
}

export interface SentReceipt {
  receipt: Receipt;
  transport: 'kafka' | 'rest';
  /** Kafka: SENT (acknowledged by the broker); REST: the registry's answer. */
  status: 'SENT' | 'ACCEPTED' | 'DUPLICATE';
}

export interface PipelineDeps {
  verifier: EventVerifier;
  handler: EventHandler;
  sendReceipt: (request: ReceiptRequest) => Promise<SentReceipt>;
  /** Makes the handler's writes durable before receipts go out and offsets are committed. */
  flush?: () => Promise<void>;
  onInvalidEvent?: (invalid: InvalidEvent) => void | Promise<void>;
  onReceiptSent?: (sent: SentReceipt) => void | Promise<void>;
  onReceiptRejected?: (error: ReceiptRejectedError, request: ReceiptRequest) => void | Promise<void>;
  /** Checked before each message (e.g. the consumer is stopping or lost the partition). */
  shouldContinue?: () => boolean;
  /** Called after each handled message (e.g. a consumer heartbeat). */
  afterEach?: () => Promise<void>;
}

export interface BatchOutcome {
  /** Offset of the last message whose effects (apply, flush, receipt) are complete; commit the one after it. */
  lastCompletedOffset: string | null;
  handled: number;
  invalid: number;
  receiptsSent: number;
  receiptsRejected: number;
  /** The failure that stopped the run (handler, flush or a transient receipt-send error); messages from there on are redelivered. */
  error?: unknown;
}

export type CheckedMessage = { valid: true; event: RestrictionEvent } | { valid: false; invalid: InvalidEvent };

/** Parses and verifies one message: well-formed, signed by a service key, keyed by its own restriction id. */
export async function checkEventMessage(message: IncomingMessage, verifier: EventVerifier): Promise<CheckedMessage> {
  const parsed = parseEventMessage(message);
  if (!parsed.shaped) return parsed.checked;
  return settleEventCheck(message, parsed.event, await verifier.check(parsed.event));
}

/** notApplicable: a well-shaped event of a kind not accepted. It was not verified, so it carries nothing to apply. */
export type ScreenedMessage = CheckedMessage | { valid: false; notApplicable: true };

/**
 * checkEventMessage for a run of messages, in their order, with the signatures checked together
 * by `checkAll` (e.g. on a thread pool). Events of a kind not accepted are answered notApplicable
 * without verifying them.
 */
export async function checkEventMessages(
  messages: readonly IncomingMessage[],
  checkAll: (events: readonly RestrictionEvent[]) => Promise<SignatureCheck[]>,
  accepts: (event: RestrictionEvent) => boolean,
): Promise<ScreenedMessage[]> {
  const screened = new Array<ScreenedMessage>(messages.length);
  const toVerify: { index: number; event: RestrictionEvent }[] = [];
  for (const [index, message] of messages.entries()) {
    const parsed = parseEventMessage(message);
    if (!parsed.shaped) screened[index] = parsed.checked;
    else if (!accepts(parsed.event)) screened[index] = { valid: false, notApplicable: true };
    else toVerify.push({ index, event: parsed.event });
  }
  const signatures = await checkAll(toVerify.map(({ event }) => event));
  toVerify.forEach(({ index, event }, i) => (screened[index] = settleEventCheck(messages[index], event, signatures[i])));
  return screened;
}

function parseEventMessage(message: IncomingMessage): { shaped: true; event: RestrictionEvent } | { shaped: false; checked: CheckedMessage } {
  let event: RestrictionEvent;
  try {
    event = JSON.parse(message.value === null ? 'null' : message.value.toString());
  } catch {
    return { shaped: false, checked: invalidMessage(message, 'MALFORMED') };
  }
  if (!isEventShaped(event)) return { shaped: false, checked: invalidMessage(message, 'MALFORMED', event && typeof event === 'object' ? event : undefined) };
  return { shaped: true, event };
}

function settleEventCheck(message: IncomingMessage, event: RestrictionEvent, signature: SignatureCheck): CheckedMessage {
  if (signature !== 'VALID') return invalidMessage(message, signature, event);
  // Signed, but filed under another restriction's key it could shadow that one under compaction.
  if (message.key !== event.data.id || event.subject !== event.data.id) return invalidMessage(message, 'KEY_MISMATCH', event);
  return { valid: true, event };
}

function invalidMessage(message: IncomingMessage, reason: InvalidEventReason, event?: RestrictionEvent): CheckedMessage {
  return {
    valid: false,
    invalid: {
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      key: message.key,
      reason,
      ...(typeof event?.id === 'string' ? { eventId: event.id } : {}),
      ...(typeof event?.data?.id === 'string' ? { restrictionId: event.data.id } : {}),
      ...(typeof event?.data?.version === 'number' ? { version: event.data.version } : {}),
    },
  };
}

function isEventShaped(value: unknown): value is RestrictionEvent {
  const event = value as RestrictionEvent;
  const data = event?.data;
  return (
    typeof event === 'object' &&
    event !== null &&
    event.specversion === '1.0' &&
    typeof event.id === 'string' &&
    typeof event.subject === 'string' &&
    typeof data === 'object' &&
    data !== null &&
    typeof data.id === 'string' &&
    data.id.length > 0 &&
    Number.isSafeInteger(data.version) &&
    data.version >= 1 &&
    (RESTRICTION_KINDS as readonly string[]).includes(data.kind) &&
    (RESTRICTION_STATUSES as readonly string[]).includes(data.status)
  );
}

export async function processEventBatch(messages: readonly IncomingMessage[], deps: PipelineDeps): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { lastCompletedOffset: null, handled: 0, invalid: 0, receiptsSent: 0, receiptsRejected: 0 };
  const done: { offset: string; receipt?: ReceiptRequest }[] = [];

  for (const message of messages) {
    if (deps.shouldContinue && !deps.shouldContinue()) break;
    try {
      const checked = await checkEventMessage(message, deps.verifier);
      if (!checked.valid) {
        outcome.invalid++;
        await callback(() => deps.onInvalidEvent?.(checked.invalid));
        done.push({ offset: message.offset });
        continue;
      }
      const { event } = checked;
      const result = await deps.handler(event, { topic: message.topic, partition: message.partition, offset: message.offset });
      outcome.handled++;
      done.push({ offset: message.offset, receipt: result ? receiptRequest(event, result) : undefined });
      await deps.afterEach?.();
    } catch (error) {
      outcome.error = error;
      break;
    }
  }
  if (done.length === 0) return outcome;

  try {
    await deps.flush?.();
  } catch (error) {
    return { ...outcome, error };
  }

  for (const { offset, receipt } of done) {
    if (receipt) {
      try {
        const sent = await deps.sendReceipt(receipt);
        outcome.receiptsSent++;
        await callback(() => deps.onReceiptSent?.(sent));
      } catch (error) {
        if (!(error instanceof ReceiptRejectedError)) {
          outcome.error = error;
          break;
        }
        // Final: resending the same receipt cannot succeed, so the event is done.
        outcome.receiptsRejected++;
        await callback(() => deps.onReceiptRejected?.(error, receipt));
      }
    }
    outcome.lastCompletedOffset = offset;
  }
  return outcome;
}

export function receiptRequest(event: RestrictionEvent, result: HandlerResult): ReceiptRequest {
  return {
    restrictionId: event.data.id,
    version: event.data.version,
    eventId: event.id,
    outcome: result.outcome,
    ...(result.reason !== undefined ? { reason: result.reason } : {}),
    ...(result.partnerReference !== undefined ? { partnerReference: result.partnerReference } : {}),
  };
}

/** Observer callbacks must not stall consumption. */
async function callback(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch {
    // ignored on purpose
  }
}
