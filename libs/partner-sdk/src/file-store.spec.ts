import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@cd/contracts';
import { applyIfNewer } from './apply';
import { FILE_STORE_FORMAT, FileRestrictionStore } from './file-store';
import { signedEvent } from './testing/events';

jest.mock('node:fs/promises', () => {
  const actual = jest.requireActual('node:fs/promises');
  return { ...actual, rename: jest.fn(actual.rename) };
});

const key = { keyId: 'svc-1', privateKey: generateSigningKeyPair().privateKeyPem };

describe('FileRestrictionStore', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'partner-store-'));
    path = join(dir, 'store.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips entries through the file', async () => {
    const store = await FileRestrictionStore.open(path);
    const lifted = signedEvent({ id: 'r-1', version: 3, status: 'LIFTED' }, key);
    const active = signedEvent({ id: 'r-2', version: 1, kind: 'CONSUMPTION_RESTRICTION' }, key);
    await applyIfNewer(store, lifted);
    await applyIfNewer(store, active);
    await store.close();

    const reopened = await FileRestrictionStore.open(path);
    expect(await reopened.get('r-1')).toEqual({ version: 3, status: 'LIFTED', state: lifted.data, eventId: lifted.id });
    expect(await reopened.get('r-2')).toEqual({ version: 1, status: 'ACTIVE', state: active.data, eventId: active.id });
    expect((await reopened.entries()).map((e) => e.id).sort()).toEqual(['r-1', 'r-2']);
    await reopened.delete('r-1');
    await reopened.close();
    expect((await (await FileRestrictionStore.open(path)).entries()).map((e) => e.id)).toEqual(['r-2']);
  });

  it('starts empty without a file, and clear() empties the file', async () => {
    const store = await FileRestrictionStore.open(path);
    expect(await store.entries()).toEqual([]);
    await applyIfNewer(store, signedEvent({ id: 'r-1' }, key));
    await store.clear();
    await store.close();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ format: FILE_STORE_FORMAT, restrictions: {} });
  });

  it('batches writes: nothing on disk right after a put, everything after the delay', async () => {
    const store = await FileRestrictionStore.open(path, { flushDelayMs: 30 });
    for (let version = 1; version <= 20; version++) await applyIfNewer(store, signedEvent({ id: 'r-1', version }, key));
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    const deadline = Date.now() + 5000;
    let onDisk: { restrictions?: Record<string, { version: number }> } = {};
    while (onDisk.restrictions?.['r-1']?.version !== 20) {
      if (Date.now() > deadline) throw new Error('background flush did not happen');
      await new Promise((resolve) => setTimeout(resolve, 10));
      onDisk = JSON.parse(await readFile(path, 'utf8').catch(() => '{}'));
    }
    await store.close();
  });

  it('replaces the file atomically: readers only ever see a whole old or new file, no temp files remain', async () => {
    const store = await FileRestrictionStore.open(path, { flushDelayMs: 1 });
    for (let i = 0; i < 200; i++) await applyIfNewer(store, signedEvent({ id: `pad-${i}` }, key));
    await store.flush();
    let reads = 0;
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const text = await readFile(path, 'utf8');
        expect(JSON.parse(text).format).toBe(FILE_STORE_FORMAT);
        reads++;
      }
    })();
    for (let version = 1; version <= 30; version++) {
      await applyIfNewer(store, signedEvent({ id: 'r-1', version }, key));
      await store.flush();
    }
    writing = false;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the previous file when a write fails, reports the failure and writes again on the next flush', async () => {
    const store = await FileRestrictionStore.open(path);
    await applyIfNewer(store, signedEvent({ id: 'r-1', version: 1 }, key));
    await store.flush();
    const before = await readFile(path, 'utf8');

    jest.mocked(rename).mockRejectedValueOnce(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
    await applyIfNewer(store, signedEvent({ id: 'r-1', version: 2 }, key));
    await expect(store.flush()).rejects.toThrow('disk full');
    expect(rename).toHaveBeenCalled();
    expect(await readFile(path, 'utf8')).toBe(before);
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

    await store.flush();
    expect((await (await FileRestrictionStore.open(path)).get('r-1'))?.version).toBe(2);
  });

  it('refuses to open a file that is not a store instead of starting empty', async () => {
    await writeFile(path, '{"restrictions": ');
    await expect(FileRestrictionStore.open(path)).rejects.toThrow(/not valid JSON/);
    await writeFile(path, '{"something": "else"}');
    await expect(FileRestrictionStore.open(path)).rejects.toThrow(/not in format/);
  });
});
