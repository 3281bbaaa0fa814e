import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { SignatureJob } from './verify-pool';

// Ed25519 over the canonical JSON of a document without its `signature` field.
// Used for the service's events and for partners' receipts alike.

export type KeyInput = KeyObject | string;

export function privateKeyOf(key: KeyInput): KeyObject {
  return typeof key === 'string' ? createPrivateKey(key) : key;
}

export function publicKeyOf(key: KeyInput): KeyObject {
  return typeof key === 'string' ? createPublicKey(key) : key;
}

export function generateSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export function signDocument<T extends object>(document: T, privateKey: KeyInput): string {
  return sign(null, Buffer.from(canonicalJson(document)), privateKeyOf(privateKey)).toString('base64');
}

export function verifyDocument(document: object, signature: string, publicKey: KeyInput): boolean {
  if (typeof signature !== 'string' || signature.length === 0) return false;
  try {
    return verify(null, Buffer.from(canonicalJson(document)), publicKeyOf(publicKey), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Splits off `signature` and verifies the rest. */
export function verifySigned(document: { signature?: unknown } & object, publicKey: KeyInput): boolean {
  const { signature, ...rest } = document;
  return verifyDocument(rest, signature as string, publicKey);
}

/**
 * The Ed25519 check verifySigned would make, as a job for a SignatureVerifierPool (bytes,
 * signature, key); undefined where verifySigned answers false without verifying (no signature).
 */
export function signatureJob(document: { signature?: unknown } & object, publicKey: KeyObject): SignatureJob | undefined {
  const { signature, ...rest } = document;
  if (typeof signature !== 'string' || signature.length === 0) return undefined;
  return { data: Buffer.from(canonicalJson(rest)), signature: Buffer.from(signature, 'base64'), key: publicKey };
}
