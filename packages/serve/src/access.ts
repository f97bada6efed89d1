import * as crypto from 'crypto';
import * as net from 'net';
import * as os from 'os';
import type * as http from 'http';

/** True for an address only this machine reaches: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost. */
export function isLoopback(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** A host name or address as a Host header writes it (IPv6 in brackets), lower case. */
function asHostName(name: string): string {
  const bare = name.replace(/^\[|\]$/g, '').toLowerCase();
  return net.isIPv6(bare) ? `[${bare}]` : bare;
}

/**
 * The names a request's Host header may give (the port is not compared, so a tunnel to another
 * local port still works): the loopback names, the address asked for and the one bound, and for a
 * wildcard (0.0.0.0, ::) this machine's name and addresses; plus any the user allowed. A page on
 * another site that rebinds its DNS name to this machine sends its own name, and is refused.
 */
export function allowedHostNames(requested: string, bound: string, extra: readonly string[] = []): Set<string> {
  const names = ['localhost', '127.0.0.1', '::1', requested, bound, ...extra];
  if (WILDCARDS.has(bound) || WILDCARDS.has(requested)) {
    names.push(os.hostname());
    for (const list of Object.values(os.networkInterfaces())) {
      for (const iface of list ?? []) if (!iface.address.includes('%')) names.push(iface.address);
    }
  }
  return new Set(names.map(asHostName));
}

/** The name part of a Host header (`name`, `name:port`, `[v6]:port`), lower case; undefined when malformed. */
export function hostHeaderName(header: string | undefined): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(header ?? '');
  return match ? asHostName(match[1]) : undefined;
}

/** A random token for --token without a value: 24 bytes, URL-safe. */
export function newToken(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** The cookie that carries the token after the first page load; per port, as cookies do not tell ports apart. */
export function tokenCookieName(port: number): string {
  return `ssseg-token-${port}`;
}

/** Where a request carries a token: `?token=`, `Authorization: Bearer`, or the cookie. */
export function requestTokens(req: http.IncomingMessage, url: URL, cookieName: string): { query?: string; other: string[] } {
  const other: string[] = [];
  const bearer = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '');
  if (bearer) other.push(bearer[1]);
  for (const pair of (req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === cookieName) other.push(pair.slice(at + 1).trim());
  }
  return { query: url.searchParams.get('token') ?? undefined, other };
}

/** Compares tokens in time that does not depend on where they differ. */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(given), digest(expected));
}
