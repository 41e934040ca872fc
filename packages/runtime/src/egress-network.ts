import type { Network } from './workerd-config.ts';

/** Ranges refused even if workerd's "public" ever counted them: link-local (cloud metadata), CGNAT, ULA. */
const alwaysDenied = ['169.254.0.0/16', '100.64.0.0/10', 'fe80::/10', 'fc00::/7'];

function ipv4Base(cidr: string): number | null {
  const parts = cidr.split('/')[0].split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function contains(range: string, cidr: string): boolean {
  const base = ipv4Base(range);
  const address = ipv4Base(cidr);
  if (base === null || address === null) return false;
  const bits = Number(range.split('/')[1]);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (base & mask) === (address & mask);
}

/**
 * The network every subrequest leaves through: public addresses only, checked by workerd on the
 * address actually connected to (after DNS), plus the CIDRs the operator explicitly opened.
 */
export function egressNetwork(operatorAllowed: string[]): Network {
  return {
    allow: ['public', ...operatorAllowed],
    deny: alwaysDenied.filter((range) => !operatorAllowed.some((cidr) => contains(range, cidr))),
  };
}
