import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import receiptRejectionSchema from '../schemas/receipt-rejection.v1.schema.json';
import receiptSchema from '../schemas/receipt.v1.schema.json';
import restrictionEventSchema from '../schemas/restriction-event.v1.schema.json';

// JSON Schemas (draft 2020-12) of the Kafka payloads, as published in
// libs/contracts/schemas/ and referenced by libs/contracts/asyncapi.yaml.
// They check shape, enums and formats; signatures, routing and versions are
// checked by the consumers (verifyEvent / verifyReceipt and the services).

export const RESTRICTION_EVENT_SCHEMA_ID = 'urn:credit-discipline:schema:restriction-event:v1';
export const RECEIPT_SCHEMA_ID = 'urn:credit-discipline:schema:receipt:v1';
export const RECEIPT_REJECTION_SCHEMA_ID = 'urn:credit-discipline:schema:receipt-rejection:v1';

export const CONTRACT_SCHEMAS: Readonly<Record<string, object>> = {
  [RESTRICTION_EVENT_SCHEMA_ID]: restrictionEventSchema,
  [RECEIPT_SCHEMA_ID]: receiptSchema,
  [RECEIPT_REJECTION_SCHEMA_ID]: receiptRejectionSchema,
};

export interface SchemaValidationResult {
  valid: boolean;
  /** One line per problem: the JSON Pointer of the offending value (`/` for the root), then what is wrong. */
  errors: string[];
}

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

/** Compiled on first use (once per process), not at import, so loading the library stays cheap. */
function validatorFor(id: string): ValidateFunction {
  let validate = compiled.get(id);
  if (!validate) {
    if (!ajv) {
      ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
      addFormats(ajv);
      for (const schema of Object.values(CONTRACT_SCHEMAS)) ajv.addSchema(schema);
    }
    validate = ajv.getSchema(id);
    if (!validate) throw new Error(`schema ${id} is not registered`);
    compiled.set(id, validate);
  }
  return validate;
}

function validateAgainst(id: string, value: unknown): SchemaValidationResult {
  const validate = validatorFor(id);
  if (validate(value)) return { valid: true, errors: [] };
  // An `if` failure only repeats the `then` errors reported beside it.
  const errors = (validate.errors ?? []).filter((error) => error.keyword !== 'if');
  return { valid: false, errors: [...new Set((errors.length > 0 ? errors : (validate.errors ?? [])).map(describeError))] };
}

function describeError(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${pointer(error.instancePath, String(params.missingProperty))} is required`;
    case 'additionalProperties':
      return `${pointer(error.instancePath, String(params.additionalProperty))} is not allowed`;
    case 'enum':
      return `${pointer(error.instancePath)} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${pointer(error.instancePath)} must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return `${pointer(error.instancePath)} ${error.message ?? `fails ${error.keyword}`}`;
  }
}

function pointer(instancePath: string, property?: string): string {
  const path = property === undefined ? instancePath : `${instancePath}/${property.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  return path === '' ? '/' : path;
}

/** A restriction event (CloudEvents envelope, signed) against restriction-event.v1.schema.json. */
export function validateRestrictionEvent(value: unknown): SchemaValidationResult {
  return validateAgainst(RESTRICTION_EVENT_SCHEMA_ID, value);
}

/** A partner receipt against receipt.v1.schema.json. */
export function validateReceipt(value: unknown): SchemaValidationResult {
  return validateAgainst(RECEIPT_SCHEMA_ID, value);
}

/** A receipt rejection against receipt-rejection.v1.schema.json. */
export function validateReceiptRejection(value: unknown): SchemaValidationResult {
  return validateAgainst(RECEIPT_REJECTION_SCHEMA_ID, value);
}
