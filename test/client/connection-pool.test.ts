import { describe, expect, it } from 'vitest';
import type { BrokerAddress } from '../../src/client/broker-address.js';
import type { BrokerConnection } from '../../src/client/broker-connection.js';
import { ConnectionPool } from '../../src/client/connection-pool.js';
import { ClientClosedError, ConnectionError } from '../../src/client/errors.js';
import { ManualClock } from '../../src/util/clock.js';

/** Stands in for a BrokerConnection: the pool only looks at isOpen and inFlight, and closes it. */
class StubConnection {
  isOpen = true;
  inFlight = 0;
  constructor(readonly address: BrokerAddress) {}
  async close(): Promise<void> {
    this.isOpen = false;
  }
}

function setup(refusedPorts: readonly number[] = []) {
  const opened: StubConnection[] = [];
  const clock = new ManualClock(0);
  const pool = new ConnectionPool(async (address) => {
    if (refusedPorts.includes(address.port)) throw new ConnectionError(`h:${address.port}`, 'cannot connect');
    const connection = new StubConnection(address);
    opened.push(connection);
    return connection as unknown as BrokerConnection;
  }, clock);
  for (const id of [1, 2, 3]) pool.setAddress(id, { host: 'h', port: id });
  return { pool, opened, clock };
}

describe('ConnectionPool', () => {
  it('opens one connection per node, shared by concurrent callers, and reopens it once closed', async () => {
    const { pool, opened } = setup();

    const [a, b] = await Promise.all([pool.connection(1), pool.connection(1)]);
    expect(a).toBe(b);
    await a.close();
    expect(await pool.connection(1)).not.toBe(a);
    expect(opened).toHaveLength(2);
  });

  it('closes the connection of a node whose address changed', async () => {
    const { pool } = setup();
    const before = await pool.connection(1);

    pool.setAddress(1, { host: 'h', port: 1 });
    expect(before.isOpen).toBe(true);
    pool.setAddress(1, { host: 'elsewhere', port: 1 });

    expect(before.isOpen).toBe(false);
    expect(((await pool.connection(1)) as unknown as StubConnection).address.host).toBe('elsewhere');
  });

  it('picks the least loaded open node, then one never failed, then the one that failed longest ago', async () => {
    const { pool, clock } = setup([2, 3]);
    await expect(pool.connection(3)).rejects.toBeInstanceOf(ConnectionError);
    clock.advance(10);
    await expect(pool.connection(2)).rejects.toBeInstanceOf(ConnectionError);

    expect(pool.leastLoaded([2, 3, 1])).toBe(1);
    expect(pool.leastLoaded([2, 3])).toBe(3);
    expect(pool.hasFailed(2)).toBe(true);

    const one = (await pool.connection(1)) as unknown as StubConnection;
    pool.setAddress(4, { host: 'h', port: 4 });
    await pool.connection(4);
    one.inFlight = 3;
    expect(pool.leastLoaded([1, 4])).toBe(4);
  });

  it('refuses connections once closed, and closes those it had', async () => {
    const { pool } = setup();
    const connection = await pool.connection(1);

    await pool.closeAll();

    expect(connection.isOpen).toBe(false);
    await expect(pool.connection(2)).rejects.toBeInstanceOf(ClientClosedError);
  });
});
