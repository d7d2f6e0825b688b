/*
 * The lesson page's island, in plain TypeScript: the quiz's feedback for screen readers, and for a signed-in learner
 * the lesson's progress. Opening the lesson marks it in progress; "Complete lesson" (at the end of the page) marks
 * it completed. A visitor's page makes no API call (the session store checks the hint first).
 */
import { client } from '../lib/api';
import { NETWORK_ERROR, readProblemDetail, UNEXPECTED_ERROR } from '../lib/problem-text';
import { $session, startSession, withAccessToken } from '../stores/session';

type Status = 'not_started' | 'in_progress' | 'completed';

announceQuizFeedback();

const panel = document.querySelector<HTMLElement>('[data-lesson-progress]');
if (panel) void trackProgress(panel);

function announceQuizFeedback() {
  for (const question of document.querySelectorAll<HTMLElement>('[data-quiz-question]')) {
    const live = question.querySelector<HTMLElement>('[data-quiz-live]');
    question.addEventListener('change', (event) => {
      if (!(event.target instanceof HTMLInputElement) || !live) return;
      const kind = event.target.hasAttribute('data-correct') ? 'right' : 'wrong';
      const feedback = question.querySelector<HTMLElement>(`[data-feedback="${kind}"] p`);
      live.textContent = feedback?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
    });
  }
}

async function trackProgress(root: HTMLElement) {
  const course = root.dataset.course ?? '';
  const slug = root.dataset.lesson ?? '';
  const title = root.dataset.title ?? 'this lesson';
  const statusLine = root.querySelector<HTMLElement>('[data-progress-status]');
  const heading = root.querySelector<HTMLElement>('[data-progress-heading]');
  const text = root.querySelector<HTMLElement>('[data-progress-text]');
  const completeButton = root.querySelector<HTMLButtonElement>('[data-complete]');
  const reopenButton = root.querySelector<HTMLButtonElement>('[data-reopen]');
  const dashboardLink = root.querySelector<HTMLElement>('[data-dashboard-link]');
  const chip = document.querySelector<HTMLElement>('[data-lesson-status]');
  if (!statusLine || !completeButton || !reopenButton) return;
  const complete: HTMLButtonElement = completeButton;
  const reopen: HTMLButtonElement = reopenButton;

  let lessonId: string | undefined;
  let status: Status | undefined;
  let busy = false;

  const say = (message: string, tone: 'plain' | 'error' = 'plain') => {
    statusLine.textContent = message;
    statusLine.classList.toggle('text-danger', tone === 'error');
    statusLine.classList.toggle('text-silver-400', tone === 'plain');
  };

  function show(next: Status) {
    status = next;
    const done = next === 'completed';
    complete.hidden = done;
    complete.setAttribute('aria-disabled', String(busy));
    reopen.hidden = !done;
    if (dashboardLink) dashboardLink.hidden = !done;
    if (heading) heading.textContent = done ? 'Lesson completed' : 'Finished reading?';
    if (text) {
      text.textContent = done
        ? `“${title}” is marked completed on your dashboard.`
        : 'Completing a lesson tells your dashboard you are done with it and moves “Continue” on to the next one.';
    }
    if (chip) {
      chip.hidden = false;
      chip.dataset.status = next;
      chip.textContent = done ? 'Completed' : next === 'in_progress' ? 'In progress' : 'Not started';
    }
  }

  async function put(next: Status): Promise<Status | undefined> {
    if (!lessonId) return undefined;
    const id = lessonId;
    const response = await withAccessToken((options) =>
      client.api.v1.users.me.progress[':lesson_id'].$put({ param: { lesson_id: id }, json: { status: next } }, options),
    );
    if (!response) return undefined; // signed out meanwhile: the page shows the visitor's half
    if (response.ok) return (await response.json()).status;
    throw new Error((await readProblemDetail(response)) ?? UNEXPECTED_ERROR);
  }

  async function change(next: Status, done: string) {
    if (busy || !lessonId) return;
    busy = true;
    complete.setAttribute('aria-disabled', 'true');
    say('Saving…');
    try {
      const saved = await put(next);
      if (saved) {
        show(saved);
        say(done);
      }
    } catch (error) {
      say(error instanceof TypeError ? NETWORK_ERROR : (error as Error).message, 'error');
    } finally {
      busy = false;
      complete.setAttribute('aria-disabled', 'false');
    }
  }

  complete.addEventListener('click', () => {
    if (complete.getAttribute('aria-disabled') === 'true') return;
    void change('completed', 'Saved. Well done!').then(() => {
      if (status === 'completed') reopen.focus();
    });
  });
  reopen.addEventListener('click', () => {
    void change('in_progress', 'Marked as in progress again.').then(() => {
      if (status === 'in_progress') complete.focus();
    });
  });

  try {
    await startSession();
    if ($session.get().status !== 'signed-in') return;
    const response = await withAccessToken((options) =>
      client.api.v1.courses[':slug'].$get({ param: { slug: course } }, options),
    );
    if (!response) return;
    if (!response.ok) throw new Error(UNEXPECTED_ERROR);
    const detail = await response.json();
    const lesson = detail.modules.flatMap((module) => module.lessons).find((candidate) => candidate.slug === slug);
    if (!lesson) throw new Error('This lesson is not in the course any more. Reload the page.');
    lessonId = lesson.id;
    // Opening the lesson starts it. A completed lesson stays completed when it is read again.
    let current: Status = lesson.status ?? 'not_started';
    if (current === 'not_started') current = (await put('in_progress')) ?? current;
    show(current);
    say(current === 'completed' ? '' : 'This lesson is in progress on your dashboard.');
  } catch (error) {
    say(error instanceof TypeError ? NETWORK_ERROR : (error as Error).message || UNEXPECTED_ERROR, 'error');
  }
}
