import { useId, useState } from 'react';
import type { StepUpMethod } from '../../stores/step-up';
import { STEP_UP_METHOD_VIEWS, type StepUpMethodViewProps } from './methods';

/**
 * The dialog's content, in its own chunk (react-hook-form and the method views load when a step-up is first asked
 * for, not with every page). With more than one method, a switcher above the chosen method's view.
 */
export default function StepUpBody({
  methods,
  onConfirmed,
  onSignedOut,
}: { methods: StepUpMethod[] } & Omit<StepUpMethodViewProps, 'idPrefix'>) {
  const offered = methods.filter((method) => {
    const view = STEP_UP_METHOD_VIEWS[method];
    return view !== undefined && (view.available?.() ?? true);
  });
  const [chosen, setChosen] = useState<StepUpMethod | undefined>(offered[0]);
  const idPrefix = useId();
  const view = chosen ? STEP_UP_METHOD_VIEWS[chosen] : undefined;

  if (!view || !chosen) {
    return (
      <p role="alert" className="text-sm leading-relaxed text-silver-300">
        This account has no way to confirm it here. Sign out and sign in again, then try once more.
      </p>
    );
  }

  return (
    <div className="space-y-5">
      {offered.length > 1 && (
        <fieldset>
          <legend className="mb-2 text-sm font-medium text-silver-200">Confirm with</legend>
          <div className="flex flex-wrap gap-2">
            {offered.map((method) => (
              <button
                key={method}
                type="button"
                aria-pressed={method === chosen}
                onClick={() => setChosen(method)}
                className="rounded-full border border-ink-600 px-3 py-1.5 text-sm text-silver-300 hover:border-silver-600 hover:text-silver-50 aria-pressed:border-silver-300 aria-pressed:bg-ink-800 aria-pressed:text-silver-50"
              >
                {STEP_UP_METHOD_VIEWS[method]?.label}
              </button>
            ))}
          </div>
        </fieldset>
      )}
      <view.View key={chosen} idPrefix={`${idPrefix}-${chosen}`} onConfirmed={onConfirmed} onSignedOut={onSignedOut} />
    </div>
  );
}
