/*
 * The header's few behaviours, in plain TypeScript (it runs on every page, lessons included, whose JavaScript budget
 * has no room for a framework): close a `<details>` menu on Escape or a click outside, open the search, show the
 * account's name, and sign out. The session store is imported only when it is needed (signed-in hint, or a click on "Sign out"); pages
 * that already use it share the same module, so there is one session per page.
 */

const menus = [...document.querySelectorAll<HTMLDetailsElement>('[data-header-menu]')];

function closeMenus(except?: HTMLDetailsElement) {
  for (const menu of menus) if (menu !== except) menu.open = false;
}

for (const menu of menus) {
  menu.addEventListener('toggle', () => {
    if (menu.open) closeMenus(menu);
  });
  menu.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !menu.open) return;
    menu.open = false;
    menu.querySelector('summary')?.focus();
  });
}

document.addEventListener('click', (event) => {
  const target = event.target as Node | null;
  for (const menu of menus) if (menu.open && target && !menu.contains(target)) menu.open = false;
});

// A link inside a menu that only moves within the page (/#how-it-works) leaves the menu open over the page.
for (const link of document.querySelectorAll<HTMLAnchorElement>('[data-header-menu] a')) {
  link.addEventListener('click', () => closeMenus());
}

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-sign-out]')) {
  button.addEventListener('click', () => void signOutFrom(button));
}

async function signOutFrom(button: HTMLButtonElement) {
  if (button.getAttribute('aria-disabled') === 'true') return;
  const status = button.closest('[data-header-menu]')?.querySelector<HTMLElement>('[data-sign-out-status]');
  button.setAttribute('aria-disabled', 'true');
  button.textContent = 'Signing out…';
  if (status) status.textContent = '';
  try {
    const { leaveFor, signOut } = await import('../stores/session');
    await signOut();
    leaveFor('/');
  } catch {
    button.removeAttribute('aria-disabled');
    button.textContent = 'Sign out';
    if (status) status.textContent = "Can't reach the server, so you are still signed in. Try again.";
  }
}

// Search: the trigger is a link to the curriculum without JavaScript; with it, the dialog (its code and Pagefind's
// are fetched on the first open). "/" and Ctrl/⌘+K open it too, unless the learner is typing somewhere.
async function openSearchFrom(opener: HTMLElement | null) {
  const { openSearch } = await import('./search');
  openSearch(opener);
}

for (const trigger of document.querySelectorAll<HTMLElement>('[data-open-search]')) {
  trigger.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return; // a new tab: let the link go
    event.preventDefault();
    closeMenus();
    void openSearchFrom(trigger);
  });
}

document.addEventListener('keydown', (event) => {
  const target = event.target as HTMLElement | null;
  const typing = target?.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]');
  const shortcut =
    (event.key === '/' && !typing) || (event.key.toLowerCase() === 'k' && (event.metaKey || event.ctrlKey));
  if (!shortcut || document.querySelector('dialog[open]:not([data-search-dialog])')) return;
  event.preventDefault();
  void openSearchFrom(document.activeElement instanceof HTMLElement ? document.activeElement : null);
});

if (document.documentElement.dataset.session === 'signed-in') void showAccount();

async function showAccount() {
  const { $session } = await import('../stores/session');
  $session.subscribe((session) => {
    const user = session.status === 'signed-in' ? session.user : undefined;
    for (const element of document.querySelectorAll<HTMLElement>('[data-account-name]')) {
      element.textContent = user?.full_name ?? '';
    }
    for (const element of document.querySelectorAll<HTMLElement>('[data-account-email]')) {
      element.textContent = user?.email ?? '';
    }
    for (const element of document.querySelectorAll<HTMLElement>('[data-account-who]')) element.hidden = !user;
  });
}
