import type { Role } from './user';

// Who may do what: the one table the API's routes (middlewares/require-role.ts) and the web app's admin area both
// read, so a page never offers what the API would refuse. The role itself is read from the database on every
// request (the JWT `role` claim is informative only), so a change applies on the caller's next request.
export const permissions = {
  // Open the admin area at all (/admin): see users, their detail and a course's learners.
  'admin:enter': ['instructor', 'admin'],
  'users:read': ['instructor', 'admin'],
  'learners:read': ['instructor', 'admin'],
  // Change a role, disable or enable an account, end its sessions, reset its MFA (each with a step-up).
  'users:manage': ['admin'],
  'audit:read': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

export function can(role: Role | undefined | null, permission: Permission): boolean {
  return role !== undefined && role !== null && (permissions[permission] as readonly Role[]).includes(role);
}
