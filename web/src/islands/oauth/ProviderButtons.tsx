import { useEffect, useState } from 'react';
import { loadProviders, type OAuthProviderInfo, signInStartUrl } from '../../lib/oauth';
import { expectSessionAfterRedirect } from '../../stores/session';
import { ProviderIcon } from './ProviderIcon';

/**
 * "Continue with Google / GitHub" under the sign-in and sign-up forms: only the providers the API has configured
 * (GET /auth/oauth/providers), so a checkout without OAuth settings shows nothing at all. Each is a plain link to
 * GET /auth/oauth/{provider}/start; the API redirects to the provider and, on the way back, to the dashboard with
 * the refresh cookie set. Below the form, so buttons arriving late never push a field from under the cursor.
 */
export function ProviderButtons({ verb = 'Continue' }: { verb?: string }) {
  const [providers, setProviders] = useState<OAuthProviderInfo[]>([]);

  useEffect(() => {
    let live = true;
    loadProviders().then((list) => live && setProviders(list));
    return () => {
      live = false;
    };
  }, []);

  if (providers.length === 0) return null;
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-3 text-xs tracking-wide text-silver-500 uppercase" aria-hidden="true">
        <span className="h-px flex-1 bg-ink-700" />
        or
        <span className="h-px flex-1 bg-ink-700" />
      </div>
      <ul className="grid gap-2.5" aria-label="Other ways to continue">
        {providers.map((provider) => (
          <li key={provider.id}>
            <a
              href={signInStartUrl(provider.id)}
              className="btn btn-ghost w-full py-2.5 text-base"
              // The provider sends the browser back signed in through the refresh cookie alone: let the landing
              // page know to pick the session up (stores/session.ts).
              onClick={expectSessionAfterRedirect}
            >
              <ProviderIcon provider={provider.id} />
              {verb} with {provider.name}
            </a>
          </li>
        ))}
      </ul>
    </div>
  );
}
