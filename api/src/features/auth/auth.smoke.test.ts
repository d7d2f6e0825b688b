import { describe, expect, it } from 'vitest';
import { api, createUser, loginAs } from '../../test/fixtures';
import { useTestApp } from '../../test/setup';

const { app } = useTestApp();

describe('auth happy path', () => {
  it('POST /auth/signup then /auth/login then GET /users/me returns the user', async () => {
    const user = await createUser(app);
    const session = await loginAs(app, user);
    const me = await api(app, '/api/v1/users/me', { token: session.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, email: user.email, full_name: user.full_name, role: 'student' });
    expect(me.body.last_login_at).not.toBeNull();
  });
});
