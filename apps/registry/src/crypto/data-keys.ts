import { KEY_ID_PATTERN, type DataKeys } from './field-cipher';

const DEV_DATA_KEYS = { 'dev-1': 'ZGV2LW9ubHktZGF0YS1rZXktY2hhbmdlLW1lLTAxMjM=' };

/**
 * DATA_KEYS = {"<key id>": "<base64 of 32 random bytes>"}, DATA_KEY_ID = the key that encrypts
 * (default: the last one listed). A development key outside production, like the other secrets.
 * Problems are collected, not thrown, so loadConfig reports them with the rest.
 */
export function dataKeysFrom(source: NodeJS.ProcessEnv, env: string, problems: string[]): DataKeys {
  let encoded: Record<string, unknown> = DEV_DATA_KEYS;
  if (source.DATA_KEYS) {
    try {
      encoded = JSON.parse(source.DATA_KEYS) as Record<string, unknown>;
    } catch {
      encoded = {};
    }
  } else if (env === 'production') {
    problems.push('DATA_KEYS is required in production');
  }
  const keys: Record<string, Buffer> = {};
  const valid =
    typeof encoded === 'object' &&
    encoded !== null &&
    !Array.isArray(encoded) &&
    Object.keys(encoded).length > 0 &&
    Object.entries(encoded).every(([kid, value]) => {
      if (!KEY_ID_PATTERN.test(kid) || typeof value !== 'string') return false;
      const key = Buffer.from(value, 'base64');
      keys[kid] = key;
      return key.length === 32 && key.toString('base64') === value;
    });
  if (!valid) {
    problems.push('DATA_KEYS must be a JSON object {"<key id: letters, digits, . _ ->": "<base64 of 32 bytes>"}');
    return { keys: {}, activeKeyId: '' };
  }
  const activeKeyId = source.DATA_KEY_ID || Object.keys(keys).at(-1)!;
  if (!keys[activeKeyId]) problems.push(`DATA_KEY_ID "${activeKeyId}" is not one of DATA_KEYS`);
  return { keys, activeKeyId };
}
