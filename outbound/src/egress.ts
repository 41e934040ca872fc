import type { EgressRules, ReadApiClient } from '@switchyard/protocol';

/** Each namespace's egress rules, cached; the supervisor makes the runner forget them on a namespace change. */
const rulesByNamespace = new Map<string, { rules: Promise<EgressRules>; until: number }>();
const maxAgeMs = 30_000;
const keyOf = (accountId: string, namespace: string) => `${accountId}\u0000${namespace}`;

export function egressRules(client: ReadApiClient, accountId: string, namespace: string): Promise<EgressRules> {
  const key = keyOf(accountId, namespace);
  const cached = rulesByNamespace.get(key);
  if (cached && cached.until > Date.now()) return cached.rules;
  const rules = client.egressRules(accountId, namespace);
  rules.catch(() => rulesByNamespace.delete(key));
  rulesByNamespace.set(key, { rules, until: Date.now() + maxAgeMs });
  return rules;
}

export function forgetEgressRules(accountId: string, namespace: string): void {
  rulesByNamespace.delete(keyOf(accountId, namespace));
}

/** A host name as rules compare it: lower case, without the trailing dot of an absolute name. */
export const normalHost = (hostname: string) => hostname.toLowerCase().replace(/\.+$/, '');

const matches = (host: string, pattern: string) => (pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern);

/** Why the rules refuse `host`, or null when they allow it. */
export function ruleRefusal(host: string, rules: EgressRules): string | null {
  const denied = rules.deny.find((pattern) => matches(host, pattern));
  if (denied) return `the namespace's egress rules deny "${denied}"`;
  if (rules.allow.length > 0 && !rules.allow.some((pattern) => matches(host, pattern))) return "the host is not in the namespace's egress allow list";
  return null;
}

function ipv4(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function inCidr(octets: number[], cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const baseOctets = ipv4(base);
  const bits = Number(bitsText ?? 32);
  if (!baseOctets || !(bits >= 0 && bits <= 32)) return false;
  const toInt = (o: number[]) => ((o[0] << 24) | (o[1] << 16) | (o[2] << 8) | o[3]) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(octets) & mask) === (toInt(baseOctets) & mask);
}

/** Whether the operator's SWITCHYARD_EGRESS_ALLOW lets tenants reach this IPv4 literal. */
export function isOperatorAllowed(hostname: string, cidrs: string[]): boolean {
  const octets = ipv4(hostname);
  return octets !== null && cidrs.some((cidr) => inCidr(octets, cidr));
}

/**
 * Whether a URL host names a destination no script may reach: loopback, private, shared (CGNAT),
 * link-local and metadata addresses, unspecified addresses, and local names. Host names that merely
 * resolve to such addresses are refused after DNS by the network service all fetches leave through.
 */
export function isForbiddenAddress(hostname: string): boolean {
  const host = normalHost(hostname).replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local') || host.endsWith('.internal')) return true;
  const v4 = ipv4(host);
  if (v4) {
    const [a, b] = v4;
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
  }
  if (host.includes(':')) {
    // `::`-prefixed forms (unspecified, loopback, IPv4-compatible) and NAT64 can all reach IPv4 space.
    if (host.startsWith('::') || host.startsWith('64:ff9b:')) return true;
    if (/^f[cd]/.test(host) || /^fe[89ab]/.test(host)) return true;
    const mapped = /^::ffff:(.+)$/.exec(host)?.[1];
    if (mapped) return mapped.includes('.') ? isForbiddenAddress(mapped) : true;
  }
  return false;
}
