/** A property set through an environment variable. */
export interface EnvironmentEntry {
  readonly name: string;
  readonly value: string;
  readonly variable: string;
}

const PREFIX = 'KAFKA_';

/** Variables the apache/kafka image reads for the JVM and its scripts, which are not broker properties. */
const IMAGE_VARIABLES = new Set([
  'KAFKA_DEBUG', 'KAFKA_GC_LOG_OPTS', 'KAFKA_HEAP_OPTS', 'KAFKA_JMX_HOSTNAME', 'KAFKA_JMX_OPTS', 'KAFKA_JMX_PORT',
  'KAFKA_JVM_PERFORMANCE_OPTS', 'KAFKA_LOG4J_LOGGERS', 'KAFKA_LOG4J_OPTS', 'KAFKA_LOG4J_ROOT_LOGLEVEL', 'KAFKA_OPTS',
  'KAFKA_TOOLS_LOG4J_LOGLEVEL', 'KAFKA_VERSION',
]);

/** What Kubernetes injects for a Service named "kafka": KAFKA_PORT, KAFKA_PORT_9092_TCP_ADDR, KAFKA_SERVICE_HOST, ... */
const SERVICE_LINK = /^KAFKA_(PORT|SERVICE_HOST|SERVICE_PORT)(_|$)/;

/**
 * Broker properties from KAFKA_* variables, named as the apache/kafka Docker image names them:
 * drop the prefix, lower-case, then `___` -> `-`, `__` -> `_`, `_` -> `.`; KAFKA_LOG_DIRS is
 * log.dirs. The image's JVM variables and Kubernetes service links are not properties and are
 * skipped. Entries come back sorted by variable name.
 */
export function propertiesFromEnvironment(env: Readonly<Record<string, string | undefined>>): EnvironmentEntry[] {
  return Object.keys(env)
    .filter((variable) => variable.startsWith(PREFIX) && variable.length > PREFIX.length)
    .filter((variable) => !IMAGE_VARIABLES.has(variable) && !SERVICE_LINK.test(variable))
    .sort()
    .flatMap((variable) => {
      const value = env[variable];
      return value === undefined ? [] : [{ name: propertyNameOf(variable), value, variable }];
    });
}

function propertyNameOf(variable: string): string {
  return variable
    .slice(PREFIX.length)
    .toLowerCase()
    .split('___')
    .map((part) => part.split('__').map((word) => word.replaceAll('_', '.')).join('_'))
    .join('-');
}
