import { BROKER_PROPERTY, type BrokerConfig, type BrokerPropertyName } from './broker-properties.js';
import { parseListener, parseProtocolMap, parseVoter, type ListenerAddress, type QuorumVoter } from './endpoints.js';
import type { ConfigProblem } from './problems.js';
import { formatValue } from './values.js';

/** The security protocols Gregor's listeners serve; TLS and SASL arrive with src/security. */
const SUPPORTED_SECURITY_PROTOCOLS: readonly string[] = ['PLAINTEXT'];

type Report = (property: BrokerPropertyName, reason: string) => void;

/** What the checks share: the node's roles and the upper-cased names of its listeners. */
interface Node {
  readonly config: BrokerConfig;
  readonly isBroker: boolean;
  readonly isController: boolean;
  readonly listenerNames: readonly string[];
  readonly controllerNames: readonly string[];
}

/**
 * Checks that span several properties, the ones Kafka makes at startup: node.id against
 * broker.id, listener names and protocols, the inter-broker listener, the quorum and controller
 * listeners for the node's roles, and the compaction lags. `isSet` tells a property given in
 * some source from one left at its default. Each property is assumed to be valid on its own.
 */
export function crossPropertyProblems(config: BrokerConfig, isSet: (name: string) => boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report: Report = (property, reason) => {
    problems.push({ property, value: formatValue(BROKER_PROPERTY.get(property)!.type, config[property]) ?? '', reason });
  };
  const roles: readonly string[] = config['process.roles'];
  const node: Node = {
    config,
    isBroker: roles.includes('broker'),
    isController: roles.includes('controller'),
    listenerNames: config.listeners.map((item) => (parseListener(item) as ListenerAddress).listenerName),
    controllerNames: config['controller.listener.names'].map((name) => name.toUpperCase()),
  };

  if (isSet('node.id') && isSet('broker.id') && config['node.id'] !== config['broker.id']) {
    report('broker.id', `must equal node.id (${config['node.id']}) when both are set`);
  }
  checkListeners(node, report);
  checkInterBrokerListener(node, isSet, report);
  checkQuorum(node, report);
  const maxLag = config['log.cleaner.max.compaction.lag.ms'];
  if (config['log.cleaner.min.compaction.lag.ms'] > maxLag) {
    report('log.cleaner.min.compaction.lag.ms', `exceeds log.cleaner.max.compaction.lag.ms (${maxLag})`);
  }
  return problems;
}

function checkListeners({ config, listenerNames, controllerNames }: Node, report: Report): void {
  const repeated = listenerNames.find((name, i) => listenerNames.indexOf(name) !== i);
  if (repeated !== undefined) report('listeners', `listener ${repeated} appears twice`);

  const protocols = parseProtocolMap(config['listener.security.protocol.map']);
  for (const name of new Set([...listenerNames, ...controllerNames])) {
    const property = listenerNames.includes(name) ? 'listeners' : 'controller.listener.names';
    const protocol = protocols.get(name);
    if (protocol === undefined) {
      report(property, `listener ${name} has no entry in listener.security.protocol.map`);
    } else if (!SUPPORTED_SECURITY_PROTOCOLS.includes(protocol)) {
      const supported = SUPPORTED_SECURITY_PROTOCOLS.join(', ');
      report(property, `listener ${name} uses ${protocol}, which Gregor does not support yet (supported: ${supported})`);
    }
  }

  const unknownAdvertised = config['advertised.listeners']
    ?.map((item) => (parseListener(item) as ListenerAddress).listenerName)
    .find((name) => !listenerNames.includes(name));
  if (unknownAdvertised !== undefined) report('advertised.listeners', `listener ${unknownAdvertised} is not one of listeners`);
}

function checkInterBrokerListener(node: Node, isSet: (name: string) => boolean, report: Report): void {
  const { config, isBroker, listenerNames, controllerNames } = node;
  if (isSet('inter.broker.listener.name') && isSet('security.inter.broker.protocol')) {
    report('inter.broker.listener.name', 'set either this or security.inter.broker.protocol, not both');
    return;
  }
  if (!isBroker) return;
  const property = config['inter.broker.listener.name'] === null ? 'security.inter.broker.protocol' : 'inter.broker.listener.name';
  const name = (config['inter.broker.listener.name'] ?? config['security.inter.broker.protocol']).toUpperCase();
  if (!listenerNames.includes(name)) {
    report(property, `the inter-broker listener ${name} is not one of listeners (${listenerNames.join(', ')})`);
  } else if (controllerNames.includes(name)) {
    report(property, `the inter-broker listener ${name} is a controller listener`);
  }
}

function checkQuorum({ config, isBroker, isController, listenerNames, controllerNames }: Node, report: Report): void {
  const voterIds = config['controller.quorum.voters'].map((item) => (parseVoter(item) as QuorumVoter).id);
  const nodeId = config['node.id'];
  const hasBootstrap = config['controller.quorum.bootstrap.servers'].length > 0;

  const repeatedId = voterIds.find((id, i) => voterIds.indexOf(id) !== i);
  if (repeatedId !== undefined) report('controller.quorum.voters', `voter id ${repeatedId} appears twice`);
  if (isController && voterIds.length > 0 && !voterIds.includes(nodeId)) {
    report('controller.quorum.voters', `does not include node.id ${nodeId}, though this node has the controller role`);
  }
  if (!isController && voterIds.length === 0 && !hasBootstrap) {
    const reason = 'a node without the controller role needs controller.quorum.voters or controller.quorum.bootstrap.servers';
    report('controller.quorum.voters', reason);
  }

  const reachesOtherControllers = !isController || hasBootstrap || voterIds.some((id) => id !== nodeId);
  if (reachesOtherControllers && controllerNames.length === 0) {
    report('controller.listener.names', 'must name the controller listener when the quorum has other members');
  }
  if (isController && controllerNames.length > 0 && !listenerNames.includes(controllerNames[0])) {
    report('controller.listener.names', `listener ${controllerNames[0]} is not one of listeners, though this node has the controller role`);
  }
  const misplaced = isController ? undefined : controllerNames.find((name) => listenerNames.includes(name));
  if (misplaced !== undefined) {
    report('listeners', `listener ${misplaced} is a controller listener, though this node has only the broker role`);
  }
  const extra = isBroker ? undefined : listenerNames.find((name) => !controllerNames.includes(name));
  if (extra !== undefined) {
    report('listeners', `listener ${extra} is not a controller listener, though this node has only the controller role`);
  }
}
