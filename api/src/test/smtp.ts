import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

// A real SMTP server in the test process: the API sends through nodemailer exactly as in production, and the
// test reads what arrived. Enough MIME decoding (multipart, base64, quoted-printable) to read the parts.

export type ReceivedMail = {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string | undefined;
  html: string | undefined;
  // Every http(s) URL in the plain-text part.
  links: string[];
};

export type TestSmtpServer = {
  url: string;
  port: number;
  messages: ReceivedMail[];
  // The oldest message to `to` (with a subject matching `subject`, if given) not yet taken by an earlier call;
  // rejects after `timeoutMs`. Messages the filter passes over stay for a later call. Every account gets a
  // verification mail at sign-up, so a test waiting for another mail to a new user names its subject.
  waitForMessage: (to: string, options?: number | WaitOptions) => Promise<ReceivedMail>;
  // Messages to `to` (matching `subject`, if given) that no waitForMessage has taken yet.
  pendingFor: (to: string, subject?: RegExp) => ReceivedMail[];
  // With `hold`: the messages to `to` (matching `subject`, if given) the server has read in full and not answered
  // yet; `release` answers them all.
  held: (to: string, subject?: RegExp) => ReceivedMail[];
  release: () => void;
  close: () => Promise<void>;
};

export type WaitOptions = { subject?: RegExp; timeoutMs?: number };

// The subject of the verification mail every sign-up sends (mail/account-mail.ts).
export const VERIFY_SUBJECT = /^Verify your email/;
// Any mail but that one: what a test about another mail to a freshly signed-up user waits for.
export const NOT_VERIFY = /^(?!Verify your email)/;

export type SmtpServerOptions = {
  // Holds every message this long before answering 250 (a slow mail provider).
  delayMs?: number;
  // Holds every message, unanswered, until `release()`: a mail provider that has not answered yet, for tests of
  // what must not wait for it (an ordering, where a delay would be a race).
  hold?: boolean;
  // Answers the first N messages with a temporary failure (451), to exercise the retries.
  failFirst?: number;
};

export async function startSmtpServer(options: SmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const taken = new Set<ReceivedMail>();
  const waiters = new Set<() => void>();
  let failuresLeft = options.failFirst ?? 0;
  const heldMessages: { mail: ReceivedMail; deliver: () => void }[] = [];
  const release = () => {
    for (const { deliver } of heldMessages.splice(0)) deliver();
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (failuresLeft > 0) {
          failuresLeft--;
          const error = Object.assign(new Error('Try again later'), { responseCode: 451 });
          callback(error);
          return;
        }
        const mail = parseMail(
          Buffer.concat(chunks).toString('utf8'),
          session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
        );
        const deliver = () => {
          messages.push(mail);
          for (const wake of [...waiters]) wake();
          callback();
        };
        if (options.hold) heldMessages.push({ mail, deliver });
        else if (options.delayMs) setTimeout(deliver, options.delayMs);
        else deliver();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;

  const matches = (to: string, subject?: RegExp) => (m: ReceivedMail) =>
    m.to.includes(to.toLowerCase()) && (!subject || subject.test(m.subject));
  const untaken = (to: string, subject?: RegExp) => messages.filter((m) => !taken.has(m) && matches(to, subject)(m));

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    pendingFor: untaken,
    waitForMessage: (to, options = {}) =>
      new Promise<ReceivedMail>((resolve, reject) => {
        const { subject, timeoutMs = 5_000 } = typeof options === 'number' ? { timeoutMs: options } : options;
        const check = () => {
          const found = untaken(to, subject)[0];
          if (!found) return false;
          taken.add(found);
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no mail to ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
    held: (to, subject) => heldMessages.map(({ mail }) => mail).filter(matches(to, subject)),
    release,
    close: () =>
      new Promise<void>((resolve) => {
        release();
        server.close(() => resolve());
      }),
  };
}

type Part = { headers: Map<string, string>; body: string };

function splitPart(raw: string): Part {
  const index = raw.search(/\r?\n\r?\n/);
  const head = index === -1 ? raw : raw.slice(0, index);
  const body = index === -1 ? '' : raw.slice(index).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  // Unfold continuation lines, then read "Name: value".
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable': {
      const bytes: number[] = [];
      const softened = body.replace(/=\r?\n/g, '');
      for (let i = 0; i < softened.length; i++) {
        const hex = softened.slice(i + 1, i + 3);
        if (softened[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
          bytes.push(Number.parseInt(hex, 16));
          i += 2;
        } else {
          bytes.push(...Buffer.from(softened[i] ?? '', 'utf8'));
        }
      }
      return Buffer.from(bytes).toString('utf8');
    }
    default:
      return body;
  }
}

function leafParts(part: Part): Part[] {
  const type = part.headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || !boundary) return [part];
  const sections = part.body.split(`--${boundary}`).slice(1);
  return sections
    .filter((section) => !section.startsWith('--'))
    .flatMap((section) => leafParts(splitPart(section.replace(/^\r?\n/, ''))));
}

export function parseMail(raw: string, from: string, to: string[]): ReceivedMail {
  const top = splitPart(raw);
  let text: string | undefined;
  let html: string | undefined;
  for (const part of leafParts(top)) {
    const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
    const content = decodeBody(part.body, part.headers.get('content-transfer-encoding'));
    if (type.startsWith('text/plain')) text ??= content;
    else if (type.startsWith('text/html')) html ??= content;
  }
  const links = [...(text ?? '').matchAll(/https?:\/\/[^\s"'<>]+/g)].map((match) => match[0]);
  return { from, to, raw, subject: top.headers.get('subject') ?? '', text, html, links };
}

// The `token` query parameter of the first link in the message that goes to `path` (e.g. '/verify-email').
export function tokenFromMail(mail: ReceivedMail, path: string): string {
  const link = mail.links.find((candidate) => new URL(candidate).pathname === path);
  const token = link ? new URL(link).searchParams.get('token') : null;
  if (!token) throw new Error(`no ${path} link with a token in "${mail.subject}"`);
  return token;
}
