import { html } from 'hono/html';
import { INVISIBLE_FORMAT_CHARACTERS, SITE_NAME } from '../shared/fields';
import type { MailMessage } from './mailer';

// Links are built only from PUBLIC_APP_URL, never from the request's Host or X-Forwarded-Host: otherwise anyone
// could ask for a reset mail whose link points at their own server and collect the token (host-header poisoning).
type Recipient = { email: string; full_name: string };

// Who a mail about an account goes to, as the queries that trigger one return it.
export type MailRecipient = Recipient & { id: string };

export function verifyEmailMail(publicAppUrl: string, user: Recipient, token: string, ttlHours: number) {
  return linkMail(user, {
    subject: `Verify your email for ${SITE_NAME}`,
    link: `${publicAppUrl}/verify-email?token=${encodeURIComponent(token)}`,
    ask: 'Confirm that this is your email address by opening this link:',
    button: 'Verify email',
    validity: `The link works once and expires in ${hours(ttlHours)}.`,
    ignore: `If you did not create an ${SITE_NAME} account, ignore this message.`,
  });
}

export function passwordResetMail(publicAppUrl: string, user: Recipient, token: string, ttlHours: number) {
  return linkMail(user, {
    subject: `Reset your ${SITE_NAME} password`,
    link: `${publicAppUrl}/reset-password?token=${encodeURIComponent(token)}`,
    ask: 'Someone (hopefully you) asked to reset the password of your account. Choose a new one here:',
    button: 'Choose a new password',
    validity: `The link works once and expires in ${hours(ttlHours)}.`,
    ignore: 'If you did not ask for this, ignore this message: your password stays as it is.',
  });
}

// A mail that exists for one single-use link: text and HTML say the same, the link also as plain text.
async function linkMail(
  user: Recipient,
  mail: { subject: string; link: string; ask: string; button: string; validity: string; ignore: string },
): Promise<MailMessage> {
  const { link } = mail;
  return {
    to: user.email,
    subject: mail.subject,
    link,
    text: [greeting(user), '', mail.ask, '', link, '', mail.validity, mail.ignore].join('\n'),
    html: await layout(
      mail.subject,
      html`<p>${greeting(user)}</p>
<p>${mail.ask}</p>
${button(link, mail.button)}
${linkFallback(link)}
<p>${mail.validity}<br>${mail.ignore}</p>`,
    ),
  };
}

// Sent after a change or a reset: the owner hears of it even if an attacker did it, and can take the account back.
export async function passwordChangedMail(
  publicAppUrl: string,
  user: Recipient,
  event: { kind: 'changed' | 'reset'; at: Date; ip: string },
): Promise<MailMessage> {
  const what = event.kind === 'reset' ? 'reset' : 'changed';
  const sessions = event.kind === 'reset' ? 'Every device was signed out.' : 'Every other device was signed out.';
  return noticeMail(user, {
    subject: `Your ${SITE_NAME} password was ${what}`,
    // One paragraph on two lines of the text (in the HTML the line break is a space).
    what: `The password of your ${SITE_NAME} account was ${what} on ${utcMinute(event.at)} (from IP address ${event.ip}).\n${sessions}`,
    ifNotYou: 'reset your password at once and check your account:',
    link: `${publicAppUrl}/reset-password`,
    button: 'Reset my password',
  });
}

// Sent when a signed-in session spent the password budget (auth/current-password.ts): that session is most likely
// not the owner's (a stolen access token), so it has been ended, and the owner should take the account back.
export async function passwordGuessingMail(
  publicAppUrl: string,
  user: Recipient,
  event: { at: Date; ip: string; attempts: number; lockMinutes: number },
): Promise<MailMessage> {
  return noticeMail(user, {
    subject: `Someone tried to guess your ${SITE_NAME} password`,
    what:
      `A wrong password for your ${SITE_NAME} account was entered ${event.attempts} times in a row. The last try, on ` +
      `${utcMinute(event.at)}, came from a device signed in to your account (IP address ${event.ip}).`,
    done: `We signed that device out, and sign-in with your password is paused for ${event.lockMinutes} minutes.`,
    ifNotYou: 'someone may have access to your account: reset your password (it signs every device out):',
    link: `${publicAppUrl}/reset-password`,
    button: 'Reset my password',
  });
}

// The name is the user's own text. Validation refuses control and invisible formatting characters, but a row
// written before that rule (or by hand) may hold some: they are dropped here, so a name can never break a line
// or turn the words around it in a mail.
const UNSAFE_IN_MAIL = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f]|${INVISIBLE_FORMAT_CHARACTERS.source}`, 'gu');

// Sent when a sign-in provider is connected to an account or disconnected from it: a link is a new way into the
// account, so its owner hears of it even when someone else made it, and can take the account back.
export async function signInProviderMail(
  publicAppUrl: string,
  user: Recipient,
  event: { provider: string; change: 'connected' | 'disconnected'; at: Date; ip: string },
): Promise<MailMessage> {
  const what =
    event.change === 'connected'
      ? `${event.provider} was connected to your ${SITE_NAME} account: you can now sign in with it.`
      : `${event.provider} was disconnected from your ${SITE_NAME} account: it no longer signs you in.`;
  return noticeMail(user, {
    subject: `${event.provider} was ${event.change} ${event.change === 'connected' ? 'to' : 'from'} your ${SITE_NAME} account`,
    what: `${what} ${whenAndWhere(event)}`,
    ifNotYou: 'reset your password at once and check the connected accounts in your settings:',
    link: `${publicAppUrl}/settings`,
    button: 'Open my settings',
  });
}

// Sent to the old address once the account is gone: the owner hears of it even when someone else did it. Nothing
// is left to take back, so the mail says so plainly and how to start again.
export async function accountDeletedMail(
  publicAppUrl: string,
  user: Recipient,
  event: { at: Date; ip: string },
): Promise<MailMessage> {
  return noticeMail(user, {
    subject: `Your ${SITE_NAME} account was deleted`,
    what:
      `Your ${SITE_NAME} account and everything it held (profile, progress, sessions, connected accounts and sign-in ` +
      `factors) were deleted on ${utcMinute(event.at)}, at a request from IP address ${event.ip}. Every device was signed out.`,
    after:
      'We keep no copy: the security log keeps its events without your name or address. You can sign up again with ' +
      'this address at any time; you would start afresh.',
    ifNotYou:
      'someone had access to your account and could confirm it was you: sign up again to keep the ' +
      'address, and choose a password you use nowhere else.',
    link: publicAppUrl,
    button: `Open ${SITE_NAME}`,
  });
}

// Sent when a passkey is added to an account or removed from it: a passkey is a way in on its own, so its owner hears
// of it even when someone else made the change, and every other device has been signed out.
export async function passkeyChangedMail(
  publicAppUrl: string,
  user: Recipient,
  event: { name: string; change: 'added' | 'removed'; at: Date; ip: string },
): Promise<MailMessage> {
  const name = event.name.replace(UNSAFE_IN_MAIL, '').trim();
  const what =
    event.change === 'added'
      ? `A passkey named "${name}" was added to your ${SITE_NAME} account: it can now sign you in.`
      : `The passkey named "${name}" was removed from your ${SITE_NAME} account: it no longer signs you in.`;
  return noticeMail(user, {
    subject: `A passkey was ${event.change} ${event.change === 'added' ? 'to' : 'from'} your ${SITE_NAME} account`,
    what: `${what} ${whenAndWhere(event)} Every other device was signed out.`,
    ifNotYou: 'reset your password at once and check the passkeys in your settings:',
    link: `${publicAppUrl}/settings`,
    button: 'Open my settings',
  });
}

// A mail that tells the owner something happened to the account: what (and what was done about it), then what to
// do if it wasn't them, with a button to where they can. Text and HTML say the same.
async function noticeMail(
  user: Recipient,
  mail: {
    subject: string;
    what: string;
    done?: string;
    after?: string;
    ifNotYou: string;
    link: string;
    button: string;
  },
): Promise<MailMessage> {
  const { what, done, after, link } = mail;
  return {
    to: user.email,
    subject: mail.subject,
    text: [
      greeting(user),
      '',
      what,
      ...(done ? [done] : []),
      '',
      ...(after ? [after, ''] : []),
      `If this wasn't you, ${mail.ifNotYou}`,
      '',
      link,
    ].join('\n'),
    html: await layout(
      mail.subject,
      html`<p>${greeting(user)}</p>
<p>${what}${done ? html`<br>${done}` : ''}</p>
${after ? html`<p>${after}</p>\n` : ''}<p><strong>If this wasn't you</strong>, ${mail.ifNotYou}</p>
${button(link, mail.button)}`,
    ),
  };
}

// When and from where, as the notices say it: "(2026-01-02 03:04 UTC, from IP address 192.0.2.1.)".
function whenAndWhere(event: { at: Date; ip: string }) {
  return `(${utcMinute(event.at)}, from IP address ${event.ip}.)`;
}

function utcMinute(at: Date) {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function greeting(user: Recipient) {
  const name = user.full_name.replace(UNSAFE_IN_MAIL, '').trim();
  return name ? `Hi ${name},` : 'Hi,';
}

function hours(count: number) {
  return count === 1 ? '1 hour' : `${count} hours`;
}

// Hono's html tag escapes every interpolated value (full_name is user input: text, never markup); the fragments
// below nest without being escaped twice.
type HtmlFragment = ReturnType<typeof html>;

async function layout(title: string, body: HtmlFragment): Promise<string> {
  const page = await html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title></head>
<body style="margin:0;padding:24px;background:#0b0b0c;color:#e5e5e7;font-family:system-ui,sans-serif;">
<div style="max-width:560px;margin:0 auto;padding:24px;background:#161618;border-radius:12px;">
<h1 style="font-size:20px;margin:0 0 16px;color:#ffffff;">${title}</h1>
${body}
<p style="margin-top:24px;font-size:12px;color:#8e8e93;">${SITE_NAME}</p>
</div>
</body>
</html>`;
  return page.toString();
}

function button(href: string, label: string) {
  return html`<p><a href="${href}" style="display:inline-block;padding:10px 18px;background:#d4d4d8;color:#0b0b0c;border-radius:8px;text-decoration:none;font-weight:600;">${label}</a></p>`;
}

function linkFallback(href: string) {
  return html`<p style="font-size:13px;">Or paste this link into your browser:<br><a href="${href}" style="color:#d4d4d8;">${href}</a></p>`;
}

// Sent when what protects an account changes (a second factor turned on or off, recovery codes replaced) or when
// someone failed its second step too often: the owner hears of it even when someone else did it.
export async function accountSecurityMail(
  publicAppUrl: string,
  user: Recipient,
  event: { subject: string; what: string; done?: string; at: Date; ip: string },
): Promise<MailMessage> {
  return noticeMail(user, {
    subject: event.subject,
    what: `${event.what} ${whenAndWhere(event)}`,
    done: event.done,
    ifNotYou: 'reset your password at once and check the security settings of your account:',
    link: `${publicAppUrl}/settings`,
    button: 'Open my security settings',
  });
}
