import type { ReactNode } from 'react';

/**
 * One card of the settings page: a region named by its title, the sentence under it, then the card's own content.
 * `titleId` is the heading's id (a form inside may name itself by it too); `busy` marks a first load.
 */
export function SettingsCard({
  titleId,
  title,
  description,
  busy,
  children,
}: {
  titleId: string;
  title: string;
  description?: ReactNode;
  busy?: boolean;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={titleId} aria-busy={busy} className="surface rounded-2xl p-6">
      <h2 id={titleId} className="text-lg font-semibold text-silver-50">
        {title}
      </h2>
      {description && <p className="mt-1.5 text-sm text-silver-400">{description}</p>}
      {children}
    </section>
  );
}
