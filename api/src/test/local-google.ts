import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { decodeJwt, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';
import type ProviderType from 'oidc-provider';

// A local "Google": a real OpenID Provider (oidc-provider, the certified implementation by the author of
// openid-client) on 127.0.0.1, with discovery, a JWKS, RS256-signed ID tokens, PKCE, and an interaction page that
// shows a "Continue" button a person (or the test) has to press, like the real consent screen. The API under test
// reaches it through GOOGLE_ISSUER, exactly as it reaches accounts.google.com in production.

export type GoogleAccount = {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
};

// Rewrites the ID token of the next token response: a test of the API's ID-token checks hands the API a token that
// is wrong in one way (nonce, audience, issuer, key, alg, expiry) and otherwise exactly what the provider issued.
export type IdTokenTamper = (token: {
  claims: JWTPayload;
  sign: (claims: JWTPayload, options?: { key?: 'provider' | 'foreign' | 'client-secret' | 'none' }) => Promise<string>;
}) => Promise<string>;

export type LocalGoogle = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  // The account the next "Continue" signs in as.
  signInAs: (account: GoogleAccount) => void;
  // Applies to the next token response only.
  tamperNextIdToken: (tamper: IdTokenTamper) => void;
  // Every ID token the provider handed out (after any tampering), newest last.
  issuedIdTokens: string[];
  close: () => Promise<void>;
};

const KEY_ID = 'local-google-1';

// oidc-provider prints this once at import on Node 20 (it asks for Node 22 LTS): true and harmless for a provider
// that only ever runs inside the tests, so this one line, and nothing else, is kept out of the test output.
const RUNTIME_WARNING = 'oidc-provider WARNING: Unsupported runtime';

async function importProvider(): Promise<typeof ProviderType> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes(RUNTIME_WARNING)) return;
    warn(...args);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = warn;
  }
}

export async function startLocalGoogle(options: { redirectUris: string[] }): Promise<LocalGoogle> {
  const Provider = await importProvider();
  const clientId = 'local-google-client';
  const clientSecret = 'local-google-client-secret-0123456789abcdef';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const { privateKey: foreignKey } = await generateKeyPair('RS256', { extractable: true });
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid: KEY_ID, alg: 'RS256', use: 'sig' };

  const accounts = new Map<string, GoogleAccount>();
  let nextAccount: GoogleAccount | undefined;
  let nextTamper: IdTokenTamper | undefined;
  const issuedIdTokens: string[] = [];

  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider: ProviderType = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [privateJwk] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Like Google: the scopes' claims are in the ID token itself, not only behind the userinfo endpoint.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['local-google-cookie-key'] },
    // Explicit lifetimes (seconds), as Google has them, instead of the defaults it prints a notice about.
    ttl: { AccessToken: 3600, AuthorizationCode: 60, Grant: 3600, IdToken: 3600, Interaction: 600, Session: 3600 },
    findAccount: async (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ ...account }) };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'text/plain';
      ctx.body = `error: ${out.error}`;
    },
  });

  // The tamper hook: after the token endpoint answered, swap in the rewritten ID token.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path !== '/token' || ctx.method !== 'POST') return;
    const body = ctx.body as { id_token?: string } | undefined;
    if (!body?.id_token) return;
    if (nextTamper) {
      const tamper = nextTamper;
      nextTamper = undefined;
      body.id_token = await tamper({ claims: decodeJwt(body.id_token), sign });
      ctx.body = body;
    }
    issuedIdTokens.push(body.id_token);
  });

  async function sign(claims: JWTPayload, { key = 'provider' }: { key?: string } = {}) {
    if (key === 'none') {
      const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
      return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
    }
    if (key === 'client-secret') {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: KEY_ID })
        .sign(new TextEncoder().encode(clientSecret));
    }
    // A foreign key under the provider's kid: only a real signature check tells the two apart.
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: KEY_ID, typ: 'JWT' })
      .sign(key === 'foreign' ? foreignKey : privateKey);
  }

  const handleOidc = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path.startsWith('/interaction/')) {
      handleInteraction(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    handleOidc(req, res);
  });

  // The consent screen: who signs in, and a Continue and a Cancel button. Nothing happens without a press.
  async function handleInteraction(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      const account = nextAccount;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        await page(
          'Sign in with Google (local)',
          account
            ? html`<p>Continue as <strong>${account.name ?? account.sub}</strong> (${account.email ?? 'no email'})
                to ${String(details.params.client_id)}?</p>
                <form method="post" action="/interaction/${details.uid}">
                  <input type="hidden" name="sub" value="${account.sub}">
                  <button type="submit" name="decision" value="continue">Continue</button>
                  <button type="submit" name="decision" value="cancel">Cancel</button>
                </form>`
            : html`<p>No account is set up for this sign-in.</p>`,
        ),
      );
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    if (form.get('decision') !== 'continue') {
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'End-User aborted interaction' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const account = nextAccount && nextAccount.sub === form.get('sub') ? nextAccount : undefined;
    if (!account) throw new Error('the Continue button was pressed for an account that is not set up');
    accounts.set(account.sub, account);
    const grant = new provider.Grant({ accountId: account.sub, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  }

  return {
    issuer,
    clientId,
    clientSecret,
    signInAs: (account) => {
      nextAccount = account;
    },
    tamperNextIdToken: (tamper) => {
      nextTamper = tamper;
    },
    issuedIdTokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// A provider's page: Hono's html tag escapes every value, so a display name is text, never markup.
export async function page(title: string, body: HtmlEscapedString | Promise<HtmlEscapedString>): Promise<string> {
  const document = await html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body style="font-family:system-ui;margin:3rem"><h1>${title}</h1>${body}</body></html>`;
  return document.toString();
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

// oidc-provider's storage: in memory, one store per provider and model (its built-in one is a process-wide
// singleton that it warns about at start).
function memoryAdapter() {
  const stores = new Map<string, Map<string, Record<string, unknown>>>();
  return (name: string) => {
    const store = stores.get(name) ?? new Map<string, Record<string, unknown>>();
    stores.set(name, store);
    const find = (test: (payload: Record<string, unknown>) => boolean) => [...store.values()].find(test);
    return {
      upsert: async (id: string, payload: Record<string, unknown>) => {
        store.set(id, payload);
      },
      find: async (id: string) => store.get(id),
      findByUid: async (uid: string) => find((payload) => payload.uid === uid),
      findByUserCode: async (userCode: string) => find((payload) => payload.userCode === userCode),
      consume: async (id: string) => {
        const payload = store.get(id);
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      destroy: async (id: string) => {
        store.delete(id);
      },
      revokeByGrantId: async (grantId: string) => {
        for (const [id, payload] of store) if (payload.grantId === grantId) store.delete(id);
      },
    };
  };
}
