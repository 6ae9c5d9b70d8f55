import { listOfFormat, type Validator } from './validators.js';

/** Kafka's security protocols; the ones a listener may name in listener.security.protocol.map. */
export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

/** One entry of `listeners`: the name is upper-cased, as Kafka treats listener names case-insensitively. */
export interface ListenerAddress {
  readonly listenerName: string;
  /** Empty binds every interface; IPv6 addresses come without their brackets. */
  readonly host: string;
  readonly port: number;
}

export interface QuorumVoter {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOST = String.raw`(\[[0-9a-fA-F:.%]*\]|[0-9a-zA-Z\-%._]*)`;
const LISTENER = new RegExp(String.raw`^([^:/\s]+)://${HOST}:(\d+)$`);
const VOTER = new RegExp(String.raw`^(\d+)@${HOST}:(\d+)$`);
const HOST_PORT = new RegExp(String.raw`^${HOST}:(\d+)$`);
const LISTENER_NAME = /^[^:/\s]+$/;

/** Parses `NAME://host:port`, or explains what is wrong with it. */
export function parseListener(text: string): ListenerAddress | string {
  const m = LISTENER.exec(text);
  if (m === null) return 'is not NAME://host:port';
  const port = parsePort(m[3]);
  if (typeof port === 'string') return port;
  return { listenerName: m[1].toUpperCase(), host: unbracket(m[2]), port };
}

/** Parses `id@host:port` (an entry of controller.quorum.voters). */
export function parseVoter(text: string): QuorumVoter | string {
  const m = VOTER.exec(text);
  if (m === null) return 'is not id@host:port';
  const id = Number(m[1]);
  if (!Number.isSafeInteger(id) || id > 0x7fffffff) return 'has an id out of range';
  if (m[2] === '') return 'has no host';
  const port = parsePort(m[3]);
  if (typeof port === 'string') return port;
  return { id, host: unbracket(m[2]), port };
}

/** Parses `host:port` (an entry of controller.quorum.bootstrap.servers). */
export function parseHostPort(text: string): HostPort | string {
  const m = HOST_PORT.exec(text);
  if (m === null || m[1] === '') return 'is not host:port';
  const port = parsePort(m[2]);
  if (typeof port === 'string') return port;
  return { host: unbracket(m[1]), port };
}

/** Parses listener.security.protocol.map into upper-cased listener name -> protocol. */
export function parseProtocolMap(items: readonly string[]): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const item of items) {
    const [name, protocol] = item.split(':');
    map.set(name.toUpperCase(), protocol.toUpperCase() as SecurityProtocol);
  }
  return map;
}

function parsePort(text: string): number | string {
  const port = Number(text);
  return port <= 65535 ? port : 'has a port above 65535';
}

function unbracket(host: string): string {
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

const problemOf = (parse: (text: string) => object | string) => (item: string) => {
  const parsed = parse(item);
  return typeof parsed === 'string' ? parsed : undefined;
};

export const LISTENERS: Validator<readonly string[]> = listOfFormat('NAME://host:port', problemOf(parseListener), { nonEmpty: true });

/** advertised.listeners: like listeners, but a client cannot connect to the wildcard address. */
export const ADVERTISED_LISTENERS: Validator<readonly string[]> = listOfFormat('NAME://host:port', (item) => {
  const parsed = parseListener(item);
  if (typeof parsed === 'string') return parsed;
  return parsed.host === '0.0.0.0' || parsed.host === '::' ? 'advertises a wildcard address' : undefined;
});

export const PROTOCOL_MAP: Validator<readonly string[]> = {
  expected: () => `a comma-separated list of NAME:PROTOCOL with PROTOCOL one of ${SECURITY_PROTOCOLS.join(', ')}`,
  problem: (items) => {
    const names = new Set<string>();
    for (const item of items) {
      const [name, protocol, ...rest] = item.split(':');
      if (protocol === undefined || rest.length > 0 || !LISTENER_NAME.test(name)) return `'${item}' is not NAME:PROTOCOL`;
      const known = (SECURITY_PROTOCOLS as readonly string[]).includes(protocol.toUpperCase());
      if (!known) return `'${item}' names an unknown security protocol`;
      if (names.has(name.toUpperCase())) return `listener ${name} is mapped twice`;
      names.add(name.toUpperCase());
    }
    return undefined;
  },
};

export const LISTENER_NAMES: Validator<readonly string[]> = listOfFormat(
  'listener names',
  (item) => (LISTENER_NAME.test(item) ? undefined : 'is not a listener name'),
  { distinct: true },
);

export const QUORUM_VOTERS: Validator<readonly string[]> = listOfFormat('id@host:port', problemOf(parseVoter), { distinct: true });

export const BOOTSTRAP_SERVERS: Validator<readonly string[]> = listOfFormat('host:port', problemOf(parseHostPort));

/** Kafka's ThrottledReplicaListValidator: `*`, or partition:broker pairs. */
export const THROTTLED_REPLICAS: Validator<readonly string[]> = {
  expected: () => `* or a comma-separated list of partition:broker`,
  problem: (items) => {
    if (items.length === 1 && items[0] === '*') return undefined;
    const bad = items.find((item) => !/^\d+:\d+$/.test(item));
    return bad === undefined ? undefined : `'${bad}' is not partition:broker`;
  },
};
