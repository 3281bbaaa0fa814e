// Kafka record headers, as documented in asyncapi.yaml (components.schemas.*Headers).

export const EVENT_CONTENT_TYPE = 'application/cloudevents+json; charset=utf-8';
export const RECEIPT_CONTENT_TYPE = 'application/json';
/** Set on an overdue event sent again: the same event (same `ce-id`, same version), not a new change. */
export const REANNOUNCED_HEADER = 'x-reannounced';

/** The CloudEvents headers of a restriction event: the same on its first publication and on every re-announcement. */
export function eventHeaders(eventId: string, options: { reannounced?: boolean } = {}): Record<string, string> {
  return {
    'content-type': EVENT_CONTENT_TYPE,
    'ce-id': eventId,
    ...(options.reannounced ? { [REANNOUNCED_HEADER]: 'true' } : {}),
  };
}

export function receiptHeaders(): Record<string, string> {
  return { 'content-type': RECEIPT_CONTENT_TYPE };
}
