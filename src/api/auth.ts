import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** True when no token is configured, or the request carries `Authorization: Bearer <token>`. */
export function isAuthorized(req: IncomingMessage, apiToken: string | undefined): boolean {
  if (apiToken === undefined) return true;
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (match?.[1] === undefined) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(apiToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
