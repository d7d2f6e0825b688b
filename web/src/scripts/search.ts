/*
 * The lesson search, loaded by the header only when the search opens. Pagefind's own script and its index chunks
 * (/pagefind/, written at build time by integrations/pagefind.mjs) are fetched then too, so a page that never
 * searches never downloads any of it.
 */

type PagefindData = { url: string; excerpt: string; meta: Record<string, string | undefined> };
type PagefindSearch = { results: { id: string; data: () => Promise<PagefindData> }[] };
type Pagefind = {
  options: (options: Record<string, unknown>) => Promise<void>;
  init: () => Promise<void>;
  debouncedSearch: (query: string, options?: object, ms?: number) => Promise<PagefindSearch | null>;
};

const MAX_RESULTS = 8;
// A constant outside the bundle: Vite must not try to resolve it at build time (the index is written after).
const PAGEFIND_URL = '/pagefind/pagefind.js';

const dialog = document.querySelector<HTMLDialogElement>('[data-search-dialog]');
const form = dialog?.querySelector<HTMLFormElement>('[data-search-form]');
const input = dialog?.querySelector<HTMLInputElement>('[data-search-input]');
const status = dialog?.querySelector<HTMLElement>('[data-search-status]');
const list = dialog?.querySelector<HTMLUListElement>('[data-search-results]');

let pagefind: Promise<Pagefind> | undefined;
let opener: HTMLElement | null = null;
let latest = 0;

function loadPagefind(): Promise<Pagefind> {
  pagefind ??= (import(/* @vite-ignore */ PAGEFIND_URL) as Promise<Pagefind>)
    .then(async (module) => {
      await module.options({ excerptLength: 22 });
      await module.init();
      return module;
    })
    .catch((error: unknown) => {
      pagefind = undefined; // try again on the next open
      throw error;
    });
  return pagefind;
}

export function openSearch(from: HTMLElement | null = null) {
  if (!dialog || !input) return;
  opener = from;
  if (!dialog.open) dialog.showModal();
  input.focus();
  input.select();
  // Warm up while the learner types: the first keystroke then searches at once.
  loadPagefind().catch(() => say('Search could not load. Check your connection and try again.'));
}

function say(text: string) {
  if (status) status.textContent = text;
}

async function search(query: string) {
  if (!list) return;
  const ticket = ++latest;
  const trimmed = query.trim();
  if (!trimmed) {
    list.replaceChildren();
    say('');
    return;
  }
  let found: PagefindSearch | null;
  try {
    found = await (await loadPagefind()).debouncedSearch(trimmed, {}, 180);
  } catch {
    say('Search could not load. Check your connection and try again.');
    return;
  }
  if (!found || ticket !== latest) return; // a newer query took over
  const results = await Promise.all(found.results.slice(0, MAX_RESULTS).map((result) => result.data()));
  if (ticket !== latest) return;
  list.replaceChildren(...results.map(renderResult));
  const count = found.results.length;
  say(
    count === 0
      ? `No lessons match “${trimmed}”.`
      : count > MAX_RESULTS
        ? `${count} lessons match; the best ${MAX_RESULTS} are shown.`
        : `${count} ${count === 1 ? 'lesson matches' : 'lessons match'}.`,
  );
}

function renderResult(data: PagefindData): HTMLLIElement {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = data.url;
  link.className = 'block rounded-lg px-3 py-2.5 hover:bg-ink-800 focus-visible:bg-ink-800';
  const title = document.createElement('span');
  title.className = 'block font-medium text-silver-50';
  title.textContent = data.meta.title ?? data.url;
  link.append(title);
  if (data.meta.module) {
    const module = document.createElement('span');
    module.className = 'mt-0.5 block text-xs text-silver-400';
    module.textContent = data.meta.module;
    link.append(module);
  }
  const excerpt = document.createElement('span');
  excerpt.className = 'mt-1 block text-sm text-silver-300 [&_mark]:bg-silver-200 [&_mark]:text-ink-950';
  // Pagefind escapes the page text and adds only <mark> around the matched words.
  excerpt.innerHTML = data.excerpt;
  link.append(excerpt);
  item.append(link);
  return item;
}

if (dialog && form && input) {
  input.addEventListener('input', () => void search(input.value));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    list?.querySelector<HTMLAnchorElement>('a')?.focus();
  });
  dialog.querySelector('[data-search-close]')?.addEventListener('click', () => dialog.close());
  // A click on the backdrop lands on the <dialog> itself: close, as the auth modals do.
  dialog.addEventListener('click', (event) => {
    if (event.target === dialog) dialog.close();
  });
  // Chromium spends Escape in a search field on clearing it; the learner means "close" (the field is emptied on the
  // next open anyway, by select()).
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    dialog.close();
  });
  dialog.addEventListener('close', () => opener?.focus());
}
