/**
 * Host names a deployment answers to (`ALLOWED_HOSTS`). Refusing other Host values closes DNS
 * rebinding: a page on another site whose name was re-pointed at this server sends its own name
 * as Host. Entries are names (any port), `name:port`, or `*.example.com` (any subdomain).
 */

/** Splits a Host value into lower-case name and port ("[::1]:3000" → "::1", "3000"). */
export function splitHost(host: string): { name: string; port: string | undefined } {
  const value = host.trim().toLowerCase();
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(value);
  if (v6) return { name: v6[1]!, port: v6[2] || undefined };
  const colon = value.lastIndexOf(':');
  if (colon > 0 && value.indexOf(':') === colon) {
    return { name: value.slice(0, colon), port: value.slice(colon + 1) || undefined };
  }
  return { name: value.replace(/\.$/, ''), port: undefined };
}

/** Whether `host` (a Host header) is one of `allowed`; an empty list allows every host. */
export function hostAllowed(host: string | null, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  if (!host) return false;
  const { name, port } = splitHost(host);
  const bare = name.replace(/\.$/, '');
  return allowed.some((entry) => {
    const want = splitHost(entry);
    if (want.port !== undefined && want.port !== port) return false;
    if (want.name.startsWith('*.')) return bare.endsWith(want.name.slice(1));
    return bare === want.name;
  });
}
