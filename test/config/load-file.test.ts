import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBrokerConfig } from '../../src/config/load-file.js';

const dir = mkdtempSync(join(tmpdir(), 'gregor-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadBrokerConfig', () => {
  it('reads the named file and layers the environment and overrides over it', async () => {
    const path = join(dir, 'server.properties');
    writeFileSync(path, 'num.partitions=2\nlog.dirs=/from/file\n');
    const result = await loadBrokerConfig({ path, env: { KAFKA_LOG_DIRS: '/from/env' }, overrides: ['default.replication.factor=3'] });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect([result.config['num.partitions'], result.config['log.dirs'], result.config['default.replication.factor']]).toEqual([2, ['/from/env'], 3]);
  });

  it('reports problems with the file path and line', async () => {
    const path = join(dir, 'bad.properties');
    writeFileSync(path, '# comment\nnum.partitions=0\n');
    const result = await loadBrokerConfig({ path });
    expect(result.ok ? [] : result.problems.map((p) => p.origin)).toEqual([`${path}:2`]);
  });

  it('works without a file', async () => {
    expect((await loadBrokerConfig({ env: {} })).ok).toBe(true);
  });

  it('says which file it could not read', async () => {
    const path = join(dir, 'missing.properties');
    await expect(loadBrokerConfig({ path })).rejects.toThrow(`cannot read config file ${path}: ENOENT`);
  });
});
