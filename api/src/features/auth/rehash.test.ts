import { beforeEach, describe, expect, it, vi } from 'vitest';
import { bcryptCostOf, hashPassword } from '../../auth/passwords';
import { rehashIfCostChanged } from '../../auth/rehash';
import { client, createUser } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';

// The real hash, wrapped so a test can see whether a rehash started (it starts before the login answers).
vi.mock('../../auth/passwords', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../auth/passwords')>();
  return { ...original, hashPassword: vi.fn(original.hashPassword) };
});
const hashSpy = vi.mocked(hashPassword);

// Issue 15, item 9: a hash made at another cost than BCRYPT_ROUNDS verifies faster (or slower) than the dummy one,
// so it is replaced on the next successful password login; the dummy is made at the configured cost.
const COST = 5;
const { app } = useTestApp({ env: { BCRYPT_ROUNDS: String(COST) } });

beforeEach(() => {
  hashSpy.mockClear();
});

async function storedHash(userId: string): Promise<string> {
  const [row] = await app.sql`select hashed_password from users where id = ${userId}`;
  return String(row?.hashed_password);
}

// A user whose stored hash was made at cost 4, as under an older BCRYPT_ROUNDS.
async function userWithCost4Hash() {
  const user = await createUser(app);
  const old = await app.deps.passwordWork.run((slot) => hashPassword(user.password, 4, slot));
  await app.sql`update users set hashed_password = ${old} where id = ${user.id}`;
  hashSpy.mockClear();
  return { user, old };
}

const login = (email: string, password: string) => client(app).api.v1.auth.login.$post({ json: { email, password } });

describe('rehash on a password login', () => {
  it('replaces a hash of another cost after a successful login, and the password still works', async () => {
    const { user, old } = await userWithCost4Hash();
    expect((await login(user.email, user.password)).status).toBe(200);
    await vi.waitFor(async () => expect(bcryptCostOf(await storedHash(user.id))).toBe(COST), { timeout: 10_000 });
    expect(await storedHash(user.id)).not.toBe(old);
    expect((await login(user.email, user.password)).status).toBe(200);
    // Now at the configured cost: no further rehash.
    expect(hashSpy).toHaveBeenCalledTimes(1);
  });

  it('leaves the hash alone after a wrong password', async () => {
    const { user, old } = await userWithCost4Hash();
    expect((await login(user.email, 'Wrong-Pa55word!')).status).toBe(401);
    expect(hashSpy).not.toHaveBeenCalled();
    expect(await storedHash(user.id)).toBe(old);
  });

  it('leaves a hash of the configured cost alone', async () => {
    const user = await createUser(app);
    hashSpy.mockClear();
    const before = await storedHash(user.id);
    expect(bcryptCostOf(before)).toBe(COST);
    expect((await login(user.email, user.password)).status).toBe(200);
    expect(hashSpy).not.toHaveBeenCalled();
    expect(await storedHash(user.id)).toBe(before);
  });

  it('never overwrites a password changed between the verify and the rehash', async () => {
    const { user, old } = await userWithCost4Hash();
    // The password changed after this login verified `old`: the rehash of the old password must not land.
    const changed = await app.deps.passwordWork.run((slot) => hashPassword('Another-Pa55word!', COST, slot));
    await app.sql`update users set hashed_password = ${changed} where id = ${user.id}`;
    hashSpy.mockClear();
    rehashIfCostChanged(app.deps, user.id, user.password, old);
    await vi.waitFor(() => expect(hashSpy).toHaveBeenCalledTimes(1));
    // Give the background update every chance to land, then check it did not.
    await vi.waitFor(() => expect(app.deps.passwordWork.stats().running).toBe(0), { timeout: 10_000 });
    expect(await storedHash(user.id)).toBe(changed);
  });

  it('makes the dummy hash for unknown emails at the configured cost', async () => {
    expect(bcryptCostOf(await app.deps.dummyHash)).toBe(COST);
  });
});
