import { describeTally, type Tally } from '../lib/progress';

/**
 * A progress bar as assistive technology expects one: `role="progressbar"` with the percentage as its value, a name
 * (`label`), and the counts in words as `aria-valuetext` ("2 of 5 lessons completed, 40 %"). The dashboard's course
 * and module bars, and the admin area's per-learner ones. `className` places it (a margin), nothing else.
 */
export function ProgressBar({
  label,
  tally,
  size = 'sm',
  className = '',
}: {
  label: string;
  tally: Tally;
  size?: 'sm' | 'lg';
  className?: string;
}) {
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={tally.percent}
      aria-valuetext={`${describeTally(tally)}, ${tally.percent} %`}
      className={`w-full overflow-hidden rounded-full bg-ink-700 ${size === 'lg' ? 'h-2.5' : 'h-1.5'}${className ? ` ${className}` : ''}`}
    >
      <div
        className="bg-silver-gradient h-full rounded-full transition-[width] duration-500 ease-out motion-reduce:transition-none"
        style={{ width: `${tally.percent}%` }}
      />
    </div>
  );
}
