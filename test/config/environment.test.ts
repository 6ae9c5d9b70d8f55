import { describe, expect, it } from 'vitest';
import { propertiesFromEnvironment } from '../../src/config/environment.js';

describe('propertiesFromEnvironment', () => {
  it("maps KAFKA_* variables the way the apache/kafka image does", () => {
    const env = {
      KAFKA_LOG_DIRS: '/data',
      KAFKA_NODE_ID: '3',
      KAFKA_SOME__UNDERSCORED_NAME: 'x',
      KAFKA_WITH___DASH: 'y',
      KAFKA_A___B__C_D: 'z',
    };
    expect(propertiesFromEnvironment(env)).toEqual([
      { name: 'a-b_c.d', value: 'z', variable: 'KAFKA_A___B__C_D' },
      { name: 'log.dirs', value: '/data', variable: 'KAFKA_LOG_DIRS' },
      { name: 'node.id', value: '3', variable: 'KAFKA_NODE_ID' },
      { name: 'some_underscored.name', value: 'x', variable: 'KAFKA_SOME__UNDERSCORED_NAME' },
      { name: 'with-dash', value: 'y', variable: 'KAFKA_WITH___DASH' },
    ]);
  });

  it('ignores other variables, the JVM variables of the image and Kubernetes service links', () => {
    const env = {
      PATH: '/bin',
      KAFKA_: 'x',
      kafka_node_id: '1',
      KAFKA_HEAP_OPTS: '-Xmx1G',
      KAFKA_OPTS: '-Dx',
      KAFKA_JMX_PORT: '9999',
      KAFKA_PORT: 'tcp://10.0.0.1:9092',
      KAFKA_PORT_9092_TCP_ADDR: '10.0.0.1',
      KAFKA_SERVICE_HOST: '10.0.0.1',
      KAFKA_SERVICE_PORT_BROKER: '9092',
      KAFKA_UNSET: undefined,
      KAFKA_NUM_PARTITIONS: '',
    };
    expect(propertiesFromEnvironment(env)).toEqual([{ name: 'num.partitions', value: '', variable: 'KAFKA_NUM_PARTITIONS' }]);
  });
});
