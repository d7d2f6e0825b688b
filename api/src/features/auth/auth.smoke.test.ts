import { describe, expect, it } from 'vitest';
import { client, createUser, loginAs, withStatus } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';

const { app } = useTestApp();

describe('auth happy path', () => {
  it('POST /auth/signup then /auth/login then GET /users/me returns the user', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const me = await withStatus(await client(app, session.access_token).api.v1.users.me.$get(), 200).json();
    expect(me).toMatchObject({ id: user.id, email: user.email, full_name: user.full_name, role: 'student' });
    expect(me.last_login_at).not.toBeNull();
  });
});
