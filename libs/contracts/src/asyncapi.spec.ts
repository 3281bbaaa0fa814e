import { DiagnosticSeverity, fromFile, Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECEIPT_REJECTION_SCHEMA_ID, RECEIPT_SCHEMA_ID, RESTRICTION_EVENT_SCHEMA_ID } from './schemas';
import { allTopics, receiptsTopic, rejectedReceiptsTopic, restrictionTopic } from './topics';

// Parses and validates libs/contracts/asyncapi.yaml with the real @asyncapi/parser
// (its CommonJS build, the package's `main`), offline: the payload $refs point at
// the JSON Schema files beside it and are resolved from disk.

jest.setTimeout(60_000);

const LIB_DIR = join(__dirname, '..');
const ASYNCAPI_FILE = join(LIB_DIR, 'asyncapi.yaml');

const errorsOf = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
const describeDiagnostics = (diagnostics: Diagnostic[]) => diagnostics.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`).join('\n');

describe('asyncapi.yaml', () => {
  const parser = new Parser();
  let document: AsyncAPIDocumentInterface;
  let diagnostics: Diagnostic[];

  beforeAll(async () => {
    const output = await fromFile(parser, ASYNCAPI_FILE).parse();
    diagnostics = output.diagnostics;
    if (!output.document) throw new Error(`asyncapi.yaml did not parse:\n${describeDiagnostics(output.diagnostics)}`);
    document = output.document;
  });

  it('is a valid AsyncAPI 3.0.0 document with no error diagnostics', () => {
    expect(describeDiagnostics(errorsOf(diagnostics))).toBe('');
    expect(document.version()).toBe('3.0.0');
    const local = document.servers().get('local');
    expect(local?.host()).toBe('127.0.0.1:9092');
    expect(local?.protocol()).toBe('kafka');
  });

  it('has a channel for every topic, with its cleanup policy as a Kafka binding', () => {
    const channels = document.channels().all();
    const addresses = channels.map((channel) => channel.address());
    expect(addresses).toHaveLength(allTopics().length);
    for (const topic of allTopics()) {
      const channel = channels.find((c) => c.address() === topic.name);
      expect(channel).toBeDefined();
      const kafka = channel!.bindings().get('kafka')?.value<{ topicConfiguration?: Record<string, unknown> }>();
      expect(kafka?.topicConfiguration?.['cleanup.policy']).toEqual([topic.cleanupPolicy]);
    }
  });

  it('sends on the restriction and rejected-receipt channels and receives receipts', () => {
    const actionsByAddress = new Map<string, string[]>();
    for (const operation of document.operations().all()) {
      for (const channel of operation.channels().all()) {
        actionsByAddress.set(channel.address()!, [...(actionsByAddress.get(channel.address()!) ?? []), operation.action()]);
      }
    }
    for (const kind of ['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION', 'EXIT_BAN'] as const) {
      expect(actionsByAddress.get(restrictionTopic(kind))).toEqual(['send']);
    }
    expect(actionsByAddress.get(rejectedReceiptsTopic())).toEqual(['send']);
    expect(actionsByAddress.get(receiptsTopic())).toEqual(['receive']);
  });

  it('answers every restriction operation with a receipt on the receipts channel', () => {
    const restrictionOperations = document.operations().filterBySend().filter((op) => op.channels().all().some((c) => c.address() !== rejectedReceiptsTopic()));
    expect(restrictionOperations).toHaveLength(3);
    for (const operation of restrictionOperations) {
      const reply = operation.reply();
      expect(reply?.channel()?.address()).toBe(receiptsTopic());
      expect(reply?.messages().all().map((m) => m.name())).toEqual(['Receipt']);
      // The parser does not check that a reply's messages are carried by its channel; this does.
      const carried = reply!.channel()!.messages().all().map((m) => m.id());
      expect(reply!.messages().all().every((m) => carried.includes(m.id()))).toBe(true);
    }
    expect(document.operations().filterByReceive().every((op) => op.reply() === undefined)).toBe(true);
  });

  it('embeds the JSON Schemas as message payloads, keyed as the architecture says', () => {
    const payloadIds = new Map(document.messages().all().map((m) => [m.name(), m.payload()?.id()]));
    expect(payloadIds.get('RestrictionEvent')).toBe(RESTRICTION_EVENT_SCHEMA_ID);
    expect(payloadIds.get('Receipt')).toBe(RECEIPT_SCHEMA_ID);
    expect(payloadIds.get('ReceiptRejection')).toBe(RECEIPT_REJECTION_SCHEMA_ID);

    const event = document.components().messages().get('restrictionEvent')!;
    const data = event.payload()!.properties()!.data;
    expect(data.properties()!.kind.enum()).toEqual(['DISHONEST_LISTING', 'CONSUMPTION_RESTRICTION', 'EXIT_BAN']);

    const keyDescription = (name: string) =>
      document.components().messages().get(name)!.bindings().get('kafka')!.value<{ key: { description: string } }>().key.description;
    expect(keyDescription('restrictionEvent')).toMatch(/restriction id/);
    expect(keyDescription('receipt')).toMatch(/restriction id/);
    expect(keyDescription('receiptRejection')).toMatch(/partner id/);
  });

  it('says the topic prefix is configurable', () => {
    expect(document.info().description()).toMatch(/prefix is\s+configurable/);
  });
});

describe('asyncapi.yaml validation catches broken copies', () => {
  const parser = new Parser();
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'asyncapi-'));
    cpSync(join(LIB_DIR, 'schemas'), join(dir, 'schemas'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function parseCopy(edit: (yaml: string) => string): Promise<{ errors: Diagnostic[]; parsed: boolean }> {
    const original = readFileSync(ASYNCAPI_FILE, 'utf8');
    const edited = edit(original);
    expect(edited).not.toBe(original);
    writeFileSync(join(dir, 'asyncapi.yaml'), edited);
    const { document, diagnostics } = await fromFile(parser, join(dir, 'asyncapi.yaml')).parse();
    return { errors: errorsOf(diagnostics), parsed: document !== undefined };
  }

  it('reports a channel that references a missing message', async () => {
    const { errors, parsed } = await parseCopy((yaml) =>
      yaml.replace(
        "messages:\n      receipt:\n        $ref: '#/components/messages/receipt'",
        "messages:\n      receipt:\n        $ref: '#/components/messages/noSuchMessage'",
      ),
    );
    expect(parsed).toBe(false);
    expect(errors).toContainEqual(expect.objectContaining({ code: 'invalid-ref', message: expect.stringContaining('noSuchMessage') }));
  });

  it("reports an operation sending a message its channel does not carry", async () => {
    const { errors, parsed } = await parseCopy((yaml) =>
      yaml.replace("      - $ref: '#/channels/exitBan/messages/restrictionEvent'", "      - $ref: '#/channels/dishonestListing/messages/restrictionEvent'"),
    );
    expect(parsed).toBe(false);
    expect(errors).toContainEqual(
      expect.objectContaining({ code: 'asyncapi3-operation-messages-from-referred-channel', path: ['operations', 'publishExitBan', 'messages', '0'] }),
    );
  });

  it('reports an invalid JSON Schema in a referenced payload file', async () => {
    const receiptSchema = join(dir, 'schemas', 'receipt.v1.schema.json');
    writeFileSync(receiptSchema, readFileSync(receiptSchema, 'utf8').replace('"type": "integer"', '"type": "whole-number"'));
    const { errors, parsed } = await parseCopy((yaml) => yaml.replace('title: Partner receipt', 'title: Partner receipt (broken schema)'));
    expect(parsed).toBe(false);
    expect(errors).toContainEqual(expect.objectContaining({ path: ['properties', 'version', 'type'] }));
  });

  it('reports a payload $ref to a schema file that does not exist', async () => {
    const { errors, parsed } = await parseCopy((yaml) => yaml.replace('./schemas/receipt-rejection.v1.schema.json', './schemas/missing.schema.json'));
    expect(parsed).toBe(false);
    expect(errors.length).toBeGreaterThan(0);
  });
});
