// The header schemas of libs/contracts/asyncapi.yaml, parsed by @asyncapi/parser, as validators.
import { fromFile, Parser } from '@asyncapi/parser';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export type HeaderCheck = (headers: Record<string, string>) => string[];

/** A validator for the `headers` schema of each component message of the AsyncAPI document, by message id. */
export async function asyncApiHeaderChecks(): Promise<Record<string, HeaderCheck>> {
  const { document, diagnostics } = await fromFile(new Parser(), join(__dirname, '../../libs/contracts/asyncapi.yaml')).parse();
  if (!document) throw new Error(`asyncapi.yaml did not parse: ${diagnostics.map((d) => d.message).join('; ')}`);
  // Not strict: the parser adds its own `x-parser-*` keys to the schemas.
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const checks: Record<string, HeaderCheck> = {};
  for (const message of document.components().messages().all()) {
    const schema = message.headers()?.json();
    if (!schema) continue;
    const validate = ajv.compile(schema as object);
    checks[message.id()] = (headers) => (validate(headers) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`));
  }
  return checks;
}
