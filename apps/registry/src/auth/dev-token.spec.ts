import { residentIdCheckChar } from '@cd/domain';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DevTokenUsageError, devTokenClaims } from './dev-token-claims';

const VALID_ID = `11010519491231002${residentIdCheckChar('11010519491231002')}`;
const WRONG_CHECK = `11010519491231002${VALID_ID[17] === '0' ? '1' : '0'}`;

describe('devTokenClaims', () => {
  it('builds the claims of each role; a debtor identifier is normalised and kept out of sub', () => {
    expect(devTokenClaims(['court', '110108'])).toEqual({ claims: { sub: 'dev-court-110108', role: 'court', court: '110108' }, expiresInSeconds: 8 * 3600 });
    expect(devTokenClaims(['partner', 'bank-icbc', '600']).claims).toEqual({ sub: 'dev-partner-bank-icbc', role: 'partner', partner: 'bank-icbc' });
    expect(devTokenClaims(['partner', 'bank-icbc', '600']).expiresInSeconds).toBe(600);
    expect(devTokenClaims(['debtor', VALID_ID.toLowerCase()]).claims).toEqual({ sub: 'dev-debtor', role: 'debtor', identifier: VALID_ID });
    expect(devTokenClaims(['debtor', 'e12345678']).claims.identifier).toBe('E12345678');
    expect(devTokenClaims(['supervisor']).claims).toEqual({ sub: 'dev-supervisor', role: 'supervisor' });
    expect(devTokenClaims(['admin']).claims).toEqual({ sub: 'dev-admin', role: 'admin' });
  });

  it.each([
    [[], /a role is required/],
    [['judge'], /unknown role "judge"/],
    [['court'], /court needs a court code/],
    [['court', '110 108'], /court code "110 108" must be 2–32 of 0-9 A-Z/],
    [['partner'], /partner needs a partner id/],
    [['partner', 'Bank_ICBC'], /partner id "Bank_ICBC" must be/],
    [['debtor'], /debtor needs the identifier/],
    [['debtor', WRONG_CHECK], /debtor identifier is not valid: Resident ID check character does not match/],
    [['debtor', '1101051949123'], /debtor identifier is not valid: Resident ID must be 18 characters, got 13/],
    [['debtor', 'E1'], /debtor identifier is not valid: Passport number must be 5–20/],
    [['debtor', 'E1-23'], /debtor identifier is not valid/],
    [['supervisor', '110108'], /supervisor takes no scope/],
    [['court', '110108', '0'], /ttl "0" must be a whole number of seconds/],
    [['court', '110108', '1h'], /ttl "1h"/],
    [['court', '110108', '60', 'extra'], /unexpected arguments/],
  ])('refuses %j with a message naming the argument', (args, message) => {
    expect(() => devTokenClaims(args as string[])).toThrow(DevTokenUsageError);
    expect(() => devTokenClaims(args as string[])).toThrow(message);
  });

  it('never echoes a refused debtor number', () => {
    expect(() => devTokenClaims(['debtor', WRONG_CHECK])).toThrow(expect.objectContaining({ message: expect.not.stringContaining(WRONG_CHECK) }));
  });
});

describe('npm run dev-token', () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'dev-token.ts'), ...args], {
      cwd: join(__dirname, '../../../..'),
      env: { ...process.env, NODE_ENV: 'development' },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('exits with code 2 and a clear message on a bad argument, and prints a token otherwise', () => {
    const refused = run('court');
    expect(refused.status).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('dev-token: court needs a court code');
    expect(refused.stderr).toContain('usage: npm run dev-token');

    const issued = run('debtor', VALID_ID, '60');
    expect(issued.stderr).toBe('');
    expect(issued.status).toBe(0);
    expect(issued.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  }, 60_000);
});
