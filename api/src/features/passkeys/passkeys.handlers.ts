import { getAuth } from '../../middlewares/require-auth';
import { problem } from '../../platform/problem';
import { requestMeta } from '../../platform/request-meta';
import type { AppRouteHandler } from '../../platform/types';
import { listPasskeys as listPasskeyRows, renamePasskey as renamePasskeyRow } from './passkeys.queries';
import type {
  DeletePasskeyRoute,
  ListPasskeysRoute,
  RegisterPasskeyRoute,
  RegistrationOptionsRoute,
  RenamePasskeyRoute,
} from './passkeys.routes';
import * as passkeys from './passkeys.service';

const NOT_FOUND = 'No passkey of yours has this id.';

export const listPasskeys: AppRouteHandler<ListPasskeysRoute> = async (c) => {
  c.header('Cache-Control', 'no-store');
  const rows = await listPasskeyRows(c.var.deps.sql, getAuth(c).user.id);
  return c.json(rows.map(passkeys.toPasskeyResponse), 200);
};

export const registrationOptions: AppRouteHandler<RegistrationOptionsRoute> = async (c) => {
  c.header('Cache-Control', 'no-store');
  return c.json(await passkeys.registrationOptions(c.var.deps, getAuth(c)), 200);
};

export const registerPasskey: AppRouteHandler<RegisterPasskeyRoute> = async (c) => {
  const result = await passkeys.registerPasskey(c.var.deps, getAuth(c), c.req.valid('json'), requestMeta(c));
  if (!result.ok) {
    return problem(
      c,
      400,
      result.reason === 'already_registered'
        ? 'This passkey is already registered.'
        : 'The passkey could not be verified. Start again from "Add a passkey".',
    );
  }
  return c.json(result.passkey, 201);
};

export const renamePasskey: AppRouteHandler<RenamePasskeyRoute> = async (c) => {
  const row = await renamePasskeyRow(c.var.deps.sql, {
    userId: getAuth(c).user.id,
    passkeyId: c.req.valid('param').id,
    name: c.req.valid('json').name,
    meta: requestMeta(c),
  });
  if (!row) return problem(c, 404, NOT_FOUND);
  return c.json(passkeys.toPasskeyResponse(row), 200);
};

export const deletePasskey: AppRouteHandler<DeletePasskeyRoute> = async (c) => {
  const result = await passkeys.removePasskey(c.var.deps, getAuth(c), c.req.valid('param').id, requestMeta(c));
  if (!result.ok) {
    if (result.reason === 'not_found') return problem(c, 404, NOT_FOUND);
    return problem(c, 409, 'This passkey is the only way into your account: set a password or add another first.', {
      code: 'last_sign_in_method',
    });
  }
  return c.body(null, 204);
};
