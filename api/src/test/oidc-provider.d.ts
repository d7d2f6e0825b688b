// The slice of oidc-provider's API the local Google (local-google.ts) uses. The package ships no types; the
// DefinitelyTyped ones would pull in Koa's whole type tree for one test helper.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  type KoaContext = {
    path: string;
    method: string;
    type: string;
    body: unknown;
  };

  type Interaction = { uid: string; params: Record<string, unknown> };

  type Account = { accountId: string; claims: () => Promise<Record<string, unknown>> };

  type Configuration = {
    adapter?: (name: string) => unknown;
    clients?: Record<string, unknown>[];
    jwks?: { keys: Record<string, unknown>[] };
    claims?: Record<string, string[]>;
    conformIdTokenClaims?: boolean;
    features?: Record<string, { enabled: boolean }>;
    interactions?: { url: (ctx: KoaContext, interaction: Interaction) => string };
    cookies?: { keys: string[] };
    ttl?: Record<string, number>;
    findAccount?: (ctx: KoaContext, id: string) => Promise<Account | undefined>;
    renderError?: (ctx: KoaContext, out: { error: string; error_description?: string }) => Promise<void>;
  };

  class Grant {
    constructor(properties: { accountId: string; clientId: string });
    addOIDCScope(scope: string): void;
    save(): Promise<string>;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Configuration);
    Grant: typeof Grant;
    use(middleware: (ctx: KoaContext, next: () => Promise<void>) => Promise<void>): void;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Record<string, unknown>,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
  }
}
