/** Gregor as a library: start a broker inside a Node process (see docs/embedding.md). */
export { Broker, type BoundListener, type BrokerOptions, startBroker } from './server/broker.js';
export { ConfigurationError } from './server/broker-config.js';
