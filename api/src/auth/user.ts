import type { User } from '../shared/user';

// The user as the database returns it: the API's User with real dates. Derived from the shared schema so the two
// cannot drift apart.
export type AuthUser = Omit<User, 'created_at' | 'last_login_at'> & { created_at: Date; last_login_at: Date | null };

// The columns every query that returns an AuthUser selects (unqualified: use it where `users` is the only table).
export const userColumns = [
  'id',
  'email',
  'full_name',
  'role',
  'is_active',
  'is_verified',
  'created_at',
  'last_login_at',
] as const satisfies readonly (keyof AuthUser)[];

// The same columns of the `users` row aliased `alias` (for queries that join it).
export function userColumnsOf(alias: string) {
  // A tuple still (the driver's column helper wants a non-empty list): map keeps the length, so the type says it.
  return userColumns.map((column) => `${alias}.${column}`) as [...string[], string];
}

export function toUserResponse(user: AuthUser): User {
  return {
    id: user.id,
    email: user.email,
    full_name: user.full_name,
    role: user.role,
    is_active: user.is_active,
    is_verified: user.is_verified,
    created_at: user.created_at.toISOString(),
    last_login_at: user.last_login_at ? user.last_login_at.toISOString() : null,
  };
}
