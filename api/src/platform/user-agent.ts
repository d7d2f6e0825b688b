import { UAParser } from 'ua-parser-js';
import { CLIs, Libraries } from 'ua-parser-js/extensions';

// "Chrome 120 on macOS", "Mobile Safari 17 on iOS", "curl 8", "Linux", or "Unknown device". The extensions
// name the command-line tools and HTTP libraries an API also sees.
const UA_EXTENSIONS = [CLIs, Libraries].flat();

export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const { browser, os } = UAParser(userAgent, UA_EXTENSIONS);
  const browserName = browser.name ? [browser.name, browser.major].filter(Boolean).join(' ') : undefined;
  if (browserName && os.name) return `${browserName} on ${os.name}`;
  return browserName ?? os.name ?? 'Unknown device';
}
