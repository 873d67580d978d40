import net from 'node:net';

/** `host[:port]` split, with IPv6 brackets removed from the host. */
export function splitHostPort(hostPort: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(hostPort);
  if (bracketed) return { host: bracketed[1].toLowerCase(), port: bracketed[2] };
  const colon = hostPort.lastIndexOf(':');
  // A bare IPv6 address has several colons and no port.
  if (colon === -1 || hostPort.indexOf(':') !== colon) return { host: hostPort.toLowerCase() };
  return { host: hostPort.slice(0, colon).toLowerCase(), port: hostPort.slice(colon + 1) };
}

/** 127.0.0.0/8, localhost and ::1: traffic never leaves the machine, so plain HTTP is safe there. */
export function isLoopbackHost(hostPort: string): boolean {
  const { host } = splitHostPort(hostPort);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  if (net.isIPv6(host)) return host === '::1' || host === '0:0:0:0:0:0:0:1' || host.startsWith('::ffff:127.');
  return false;
}

/**
 * Whether `hostPort` is in a list of `host[:port]` entries. An entry without a port covers
 * every port of that host, as Docker's insecure-registries does for plain host names.
 */
export function hostListIncludes(list: readonly string[], hostPort: string): boolean {
  const wanted = splitHostPort(hostPort);
  return list.some((entry) => {
    const candidate = splitHostPort(entry.trim());
    return candidate.host === wanted.host && (candidate.port === undefined || candidate.port === wanted.port);
  });
}

/** HTTPS everywhere except loopback and the registries the operator declared insecure. */
export function schemeFor(endpoint: string, insecureRegistries: readonly string[]): 'http' | 'https' {
  return isLoopbackHost(endpoint) || hostListIncludes(insecureRegistries, endpoint) ? 'http' : 'https';
}
