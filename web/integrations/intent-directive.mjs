// @ts-check
/**
 * `client:intent`: hydrate an island only once the visitor shows intent to use it — a `[data-open-modal]` trigger
 * hovered, focused or touched, or a page opened with `?auth=` — so a page that must stay light (a lesson) ships none
 * of the island's JavaScript before interaction. A click that comes before hydration is held and replayed once the
 * island is ready, so the first click opens the modal in place instead of following the link.
 * @type {import('astro').ClientDirective}
 */
export default function intentDirective(load, _options, _element) {
  const TRIGGER = '[data-open-modal]';
  const EVENTS = /** @type {const} */ (['pointerover', 'focusin', 'touchstart']);
  /** @type {Promise<void> | undefined} */
  let hydrating;

  function hydrate() {
    if (!hydrating) {
      for (const type of EVENTS) document.removeEventListener(type, onIntent);
      hydrating = load().then((run) => run());
    }
    return hydrating;
  }

  /** @param {Event} event */
  function onIntent(event) {
    if (event.target instanceof Element && event.target.closest(TRIGGER)) void hydrate();
  }

  /** @param {MouseEvent} event */
  function onClick(event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const trigger = event.target instanceof Element ? event.target.closest(TRIGGER) : null;
    if (!(trigger instanceof HTMLElement)) return;
    document.removeEventListener('click', onClick, true);
    event.preventDefault();
    event.stopPropagation();
    // Hydration mounts the island's own click listener (it runs in an effect, a moment after render).
    void hydrate().then(() => setTimeout(() => trigger.click(), 0));
  }

  if (new URLSearchParams(window.location.search).has('auth')) {
    void hydrate();
    return;
  }
  for (const type of EVENTS) document.addEventListener(type, onIntent, { passive: true });
  document.addEventListener('click', onClick, true);
}
