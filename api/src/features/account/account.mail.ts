import type { MailMessage } from '../../lib/mailer';
import { SITE_NAME } from '../../schemas';

// Links are built only from PUBLIC_APP_URL, never from the request's Host or X-Forwarded-Host: otherwise anyone
// could ask for a reset mail whose link points at their own server and collect the token (host-header poisoning).
type Recipient = { email: string; full_name: string };

export function verifyEmailMail(publicAppUrl: string, user: Recipient, token: string, ttlHours: number): MailMessage {
  const link = `${publicAppUrl}/verify-email?token=${encodeURIComponent(token)}`;
  const validity = `The link works once and expires in ${hours(ttlHours)}.`;
  const ignore = `If you did not create an ${SITE_NAME} account, ignore this message.`;
  return {
    to: user.email,
    subject: `Verify your email for ${SITE_NAME}`,
    link,
    text: [
      `Hi ${user.full_name},`,
      '',
      `Confirm that this is your email address by opening this link:`,
      '',
      link,
      '',
      validity,
      ignore,
    ].join('\n'),
    html: layout(
      `Verify your email for ${SITE_NAME}`,
      [
        `<p>Hi ${escapeHtml(user.full_name)},</p>`,
        '<p>Confirm that this is your email address:</p>',
        button(link, 'Verify email'),
        linkFallback(link),
        `<p>${validity}<br>${escapeHtml(ignore)}</p>`,
      ].join('\n'),
    ),
  };
}

export function passwordResetMail(publicAppUrl: string, user: Recipient, token: string, ttlHours: number): MailMessage {
  const link = `${publicAppUrl}/reset-password?token=${encodeURIComponent(token)}`;
  const validity = `The link works once and expires in ${hours(ttlHours)}.`;
  const ignore = 'If you did not ask for this, ignore this message: your password stays as it is.';
  return {
    to: user.email,
    subject: `Reset your ${SITE_NAME} password`,
    link,
    text: [
      `Hi ${user.full_name},`,
      '',
      'Someone (hopefully you) asked to reset the password of your account. Choose a new one here:',
      '',
      link,
      '',
      validity,
      ignore,
    ].join('\n'),
    html: layout(
      `Reset your ${SITE_NAME} password`,
      [
        `<p>Hi ${escapeHtml(user.full_name)},</p>`,
        '<p>Someone (hopefully you) asked to reset the password of your account. Choose a new one:</p>',
        button(link, 'Choose a new password'),
        linkFallback(link),
        `<p>${validity}<br>${escapeHtml(ignore)}</p>`,
      ].join('\n'),
    ),
  };
}

// Sent after a change or a reset: the owner hears of it even if an attacker did it, and can take the account back.
export function passwordChangedMail(
  publicAppUrl: string,
  user: Recipient,
  event: { kind: 'changed' | 'reset'; at: Date; ip: string },
): MailMessage {
  const recover = `${publicAppUrl}/reset-password`;
  const what = event.kind === 'reset' ? 'reset' : 'changed';
  const when = `${event.at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const sessions = event.kind === 'reset' ? 'Every device was signed out.' : 'Every other device was signed out.';
  return {
    to: user.email,
    subject: `Your ${SITE_NAME} password was ${what}`,
    text: [
      `Hi ${user.full_name},`,
      '',
      `The password of your ${SITE_NAME} account was ${what} on ${when} (from IP address ${event.ip}).`,
      sessions,
      '',
      "If this wasn't you, reset your password at once and check your account:",
      '',
      recover,
    ].join('\n'),
    html: layout(
      `Your ${SITE_NAME} password was ${what}`,
      [
        `<p>Hi ${escapeHtml(user.full_name)},</p>`,
        `<p>The password of your ${SITE_NAME} account was ${what} on ${when} (from IP address ${escapeHtml(event.ip)}).`,
        `${sessions}</p>`,
        "<p><strong>If this wasn't you</strong>, reset your password at once and check your account:</p>",
        button(recover, 'Reset my password'),
      ].join('\n'),
    ),
  };
}

function hours(count: number) {
  return count === 1 ? '1 hour' : `${count} hours`;
}

function layout(title: string, body: string) {
  return [
    '<!doctype html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    '<body style="margin:0;padding:24px;background:#0b0b0c;color:#e5e5e7;font-family:system-ui,sans-serif;">',
    '<div style="max-width:560px;margin:0 auto;padding:24px;background:#161618;border-radius:12px;">',
    `<h1 style="font-size:20px;margin:0 0 16px;color:#ffffff;">${escapeHtml(title)}</h1>`,
    body,
    `<p style="margin-top:24px;font-size:12px;color:#8e8e93;">${SITE_NAME}</p>`,
    '</div>',
    '</body>',
    '</html>',
  ].join('\n');
}

function button(href: string, label: string) {
  return (
    `<p><a href="${escapeHtml(href)}" style="display:inline-block;padding:10px 18px;background:#d4d4d8;` +
    `color:#0b0b0c;border-radius:8px;text-decoration:none;font-weight:600;">${escapeHtml(label)}</a></p>`
  );
}

function linkFallback(href: string) {
  return `<p style="font-size:13px;">Or paste this link into your browser:<br><a href="${escapeHtml(href)}" style="color:#d4d4d8;">${escapeHtml(href)}</a></p>`;
}

// full_name is user input: in HTML it is text, never markup.
function escapeHtml(value: string) {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
