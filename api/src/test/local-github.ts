import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { html } from 'hono/html';
import { page, readBody } from './local-google';

// A local GitHub, as far as the API uses it: the OAuth app's authorize page (with a "Continue" button someone has to
// press), the token endpoint — which, like GitHub's, answers its errors as HTTP 200 with an `error` member — and
// the REST API's /user and /user/emails. The API reaches it through GITHUB_OAUTH_BASE_URL and GITHUB_API_BASE_URL.

export type GitHubEmail = { email: string; primary: boolean; verified: boolean };
export type GitHubAccount = { id: number; login: string; name: string | null; emails: GitHubEmail[] };

export type LocalGitHub = {
  oauthBaseUrl: string;
  apiBaseUrl: string;
  clientId: string;
  clientSecret: string;
  signInAs: (account: GitHubAccount) => void;
  // The token endpoint's requests, as GitHub received them (the form fields).
  tokenRequests: Record<string, string>[];
  close: () => Promise<void>;
};

type PendingCode = {
  account: GitHubAccount;
  redirectUri: string;
  codeChallenge: string;
  used: boolean;
};

export async function startLocalGitHub(): Promise<LocalGitHub> {
  const clientId = 'local-github-client';
  const clientSecret = 'local-github-client-secret-0123456789';
  let nextAccount: GitHubAccount | undefined;
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, GitHubAccount>();
  const tokenRequests: Record<string, string>[] = [];

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/login/oauth/authorize' && req.method === 'GET') return authorizePage(url, res);
    if (url.pathname === '/login/oauth/authorize' && req.method === 'POST') return decide(req, res);
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') return exchange(req, res);
    if (url.pathname === '/api/user' && req.method === 'GET') return user(req, res, (account) => profileOf(account));
    if (url.pathname === '/api/user/emails' && req.method === 'GET') return user(req, res, (account) => account.emails);
    json(res, 404, { message: 'Not Found' });
  }

  async function authorizePage(url: URL, res: ServerResponse) {
    const params = url.searchParams;
    if (params.get('client_id') !== clientId) {
      return sendHtml(res, 404, await page('GitHub (local)', html`<p>Unknown app</p>`));
    }
    const hidden = ['redirect_uri', 'state', 'code_challenge', 'code_challenge_method'].map(
      (name) => html`<input type="hidden" name="${name}" value="${params.get(name) ?? ''}">`,
    );
    const account = nextAccount;
    sendHtml(
      res,
      200,
      await page(
        'Authorize AI Bootcamp (local GitHub)',
        account
          ? html`<p>Signed in as <strong>${account.login}</strong>. Authorize this app to read your profile and email
              addresses?</p>
              <form method="post" action="/login/oauth/authorize">${hidden}
                <input type="hidden" name="account_id" value="${account.id}">
                <button type="submit" name="decision" value="continue">Continue</button>
                <button type="submit" name="decision" value="cancel">Cancel</button>
              </form>`
          : html`<p>No account is set up for this sign-in.</p>`,
      ),
    );
  }

  async function decide(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await readBody(req));
    const redirectUri = form.get('redirect_uri') ?? '';
    const back = new URL(redirectUri);
    back.searchParams.set('state', form.get('state') ?? '');
    if (form.get('decision') !== 'continue') {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'The user has denied your application access.');
    } else {
      if (!nextAccount || String(nextAccount.id) !== form.get('account_id')) throw new Error('no such account');
      if (form.get('code_challenge_method') !== 'S256') throw new Error('the app must use PKCE with S256');
      const code = randomBytes(10).toString('hex');
      codes.set(code, {
        account: nextAccount,
        redirectUri,
        codeChallenge: form.get('code_challenge') ?? '',
        used: false,
      });
      back.searchParams.set('code', code);
    }
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  // GitHub's token endpoint answers a bad request with 200 and `{error, error_description, error_uri}`.
  async function exchange(req: IncomingMessage, res: ServerResponse) {
    const form = Object.fromEntries(new URLSearchParams(await readBody(req)));
    tokenRequests.push(form);
    const basic = req.headers.authorization?.match(/^Basic (.+)$/)?.[1];
    const [basicId, basicSecret] = basic
      ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
      : [form.client_id, form.client_secret];
    if (basicId !== clientId || basicSecret !== clientSecret) {
      return json(res, 200, {
        error: 'incorrect_client_credentials',
        error_description: 'The client_id and/or client_secret passed are incorrect.',
      });
    }
    const pending = codes.get(form.code ?? '');
    const verifierHash = createHash('sha256')
      .update(form.code_verifier ?? '')
      .digest('base64url');
    if (
      !pending ||
      pending.used ||
      pending.redirectUri !== form.redirect_uri ||
      pending.codeChallenge !== verifierHash
    ) {
      return json(res, 200, {
        error: 'bad_verification_code',
        error_description: 'The code passed is incorrect or expired.',
        error_uri:
          'https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code',
      });
    }
    pending.used = true;
    const token = `gho_${randomBytes(18).toString('hex')}`;
    tokens.set(token, pending.account);
    json(res, 200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
  }

  function user(req: IncomingMessage, res: ServerResponse, view: (account: GitHubAccount) => unknown) {
    // GitHub refuses API calls without a User-Agent.
    if (!req.headers['user-agent']) return json(res, 403, { message: 'Request forbidden by administrative rules.' });
    const token = req.headers.authorization?.match(/^(?:Bearer|token) (.+)$/i)?.[1];
    const account = token ? tokens.get(token) : undefined;
    if (!account) return json(res, 401, { message: 'Bad credentials' });
    json(res, 200, view(account));
  }

  return {
    oauthBaseUrl: origin,
    apiBaseUrl: `${origin}/api`,
    clientId,
    clientSecret,
    signInAs: (account) => {
      nextAccount = account;
    },
    tokenRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function profileOf(account: GitHubAccount) {
  // /user carries the public email (often null) — the API must not rely on it.
  return { id: account.id, login: account.login, name: account.name, email: null };
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}
