import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ValidateIf } from 'class-validator';
import { AppError, type FieldError } from './app-error';

/** Flattens class-validator's tree into one entry per failing field and rule, with JSON paths. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    // Same path form as the domain's errors: `affectedPersons.0.role`.
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => ({
      field,
      rule: rule === 'whitelistValidation' ? 'unknownField' : rule,
      message: rule === 'whitelistValidation' ? `${field} is not a known field` : message,
    }));
    return [...own, ...fieldErrors(error.children ?? [], field)];
  });
}

// Keys that name Object.prototype members slip past whitelisting (class-validator sees them
// as inherited, not unknown); they are never part of a DTO, so they are refused outright.
const PROTOTYPE_KEYS = new Set(['__proto__', 'prototype', ...Object.getOwnPropertyNames(Object.prototype)]);

export function prototypeKeyErrors(value: unknown, path = ''): FieldError[] {
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((key) => {
    const field = path ? `${path}.${key}` : key;
    const own = PROTOTYPE_KEYS.has(key) ? [{ field, rule: 'unknownField', message: `${field} is not a known field` }] : [];
    return [...own, ...prototypeKeyErrors((value as Record<string, unknown>)[key], field)];
  });
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: Parameters<ValidationPipe['transform']>[1]): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const errors = prototypeKeyErrors(value);
      if (errors.length > 0) throw new AppError('VALIDATION_FAILED', `Request validation failed: ${errors.map((e) => `${e.field} (${e.rule})`).join(', ')}`, errors);
    }
    return super.transform(value, metadata);
  }
}

export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const list = fieldErrors(errors);
      return new AppError('VALIDATION_FAILED', `Request validation failed: ${list.map((e) => `${e.field} (${e.rule})`).join(', ')}`, list);
    },
  });
}

/**
 * May be left out, but not sent as null: class-validator's IsOptional would let
 * `"subject": null` through to the domain as if it were a value.
 */
export const OptionalNotNull = () => ValidateIf((_object, value) => value !== undefined);
