import { setTimeout as sleep } from 'node:timers/promises';
import type { Transporter } from 'nodemailer';
import type { Config } from '../env';
import type { Logger } from '../platform/logger';

export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  html: string;
  // The one link the message exists for. Only the development log (no SMTP_URL) ever prints it.
  link?: string;
};

export type Mailer = {
  // Queues the message and returns at once: delivery runs in the background, after the caller's commit.
  send: (message: MailMessage) => void;
  // Resolves when every queued message has been delivered or given up on (tests, graceful shutdown).
  idle: () => Promise<void>;
};

export type MailerOptions = {
  smtpUrl: string | undefined;
  from: string;
  logger: Logger;
  environment: Config['environment'];
  // Waits before the 2nd, 3rd, ... attempt; one attempt more than there are delays.
  retryDelaysMs?: readonly number[];
};

export const DEFAULT_RETRY_DELAYS_MS = [500, 2_000, 5_000] as const;

// An SMTP server that hangs must not hold a delivery for minutes (nodemailer waits 2 min to connect by default).
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

// Mail through nodemailer over SMTP. A request never waits for it: the token is already committed, so a slow
// or dead mail server costs a retry in the background, not a failed request, and the response time of the
// password-reset request does not reveal whether a mail was sent at all.
export function createMailer(options: MailerOptions): Mailer {
  const { logger } = options;
  const pending = new Set<Promise<void>>();
  const idle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  if (!options.smtpUrl) {
    if (options.environment === 'development') {
      logger.info('SMTP_URL is not set: mail is printed to this log instead of sent');
      return {
        send: (message) => {
          // The only place a token may appear in a log: development, no SMTP, so a newcomer can click through.
          logger.info(
            { to: message.to, link: message.link ?? '(none)' },
            `mail not sent (no SMTP_URL): ${message.subject}`,
          );
        },
        idle,
      };
    }
    logger.warn('SMTP_URL is not set: mail is disabled (verification and reset links are not delivered)');
    return {
      send: (message) => {
        logger.warn({ domain: domainOf(message.to) }, `mail disabled (no SMTP_URL), not sent: ${message.subject}`);
      },
      idle,
    };
  }

  const smtpUrl = options.smtpUrl;
  // nodemailer is loaded on the first send, not at start: it is ~60 ms of the cold start and most instances
  // send no mail in their first seconds.
  let transport: Promise<Transporter> | undefined;
  const getTransport = () => {
    transport ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({ url: smtpUrl, ...SMTP_TIMEOUTS }),
    );
    return transport;
  };
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;

  async function deliver(message: MailMessage) {
    // Logs name the recipient's domain only: enough to see a provider failing, without a list of addresses.
    const domain = domainOf(message.to);
    for (let attempt = 1; ; attempt++) {
      try {
        await (await getTransport()).sendMail({
          from: options.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
        });
        logger.info({ domain, attempt }, `mail sent: ${message.subject}`);
        return;
      } catch (error) {
        const delay = delays[attempt - 1];
        if (delay === undefined) {
          logger.error(
            { domain, attempts: attempt, ...describeError(error) },
            `mail could not be sent: ${message.subject}`,
          );
          return;
        }
        logger.warn({ domain, attempt, retryInMs: delay, ...describeError(error) }, 'mail send failed; retrying');
        await sleep(delay);
      }
    }
  }

  return {
    send: (message) => {
      const delivery = deliver(message).catch(() => {});
      pending.add(delivery);
      void delivery.finally(() => pending.delete(delivery));
    },
    idle,
  };
}

function domainOf(address: string) {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

// Codes only: an SMTP error message may quote the recipient address or the message back at us.
function describeError(error: unknown) {
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  return {
    code: typeof code === 'string' ? code : undefined,
    responseCode: typeof responseCode === 'number' ? responseCode : undefined,
  };
}
