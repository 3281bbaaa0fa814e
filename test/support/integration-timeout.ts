import { closeAllRegistries } from './registry';

jest.setTimeout(180_000);
afterAll(() => closeAllRegistries());
