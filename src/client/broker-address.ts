export interface BrokerAddress {
  readonly host: string;
  readonly port: number;
}

/** host:port, with IPv6 hosts in brackets as Kafka writes them. */
export function formatAddress(address: BrokerAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Parses one "host:port" or "[ipv6]:port". */
export function parseAddress(text: string): BrokerAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(text.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || port < 1 || port > 65535) throw new RangeError(`invalid broker address "${text}": expected host:port`);
  return { host: match[1] ?? match[2], port };
}

/** Parses bootstrap.servers: a comma-separated list of host:port. */
export function parseBootstrapServers(servers: string | readonly string[]): BrokerAddress[] {
  const entries = (typeof servers === 'string' ? servers.split(',') : servers).map((s) => s.trim()).filter((s) => s.length > 0);
  if (entries.length === 0) throw new RangeError('bootstrap.servers is empty');
  return entries.map(parseAddress);
}
