/**
 * `meta.properties`, which `kafka-storage format` writes into every log directory (KRaft, version 1):
 * the cluster, the node and the directory's own id, as Java properties.
 */
export interface MetaProperties {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly directoryId: string;
}

export function formatMetaProperties(meta: MetaProperties): Buffer {
  return Buffer.from(
    `#\n#Written by Gregor\ncluster.id=${meta.clusterId}\ndirectory.id=${meta.directoryId}\nnode.id=${meta.nodeId}\nversion=1\n`,
    'utf8',
  );
}

/** Parses the file; a message naming the problem when it is not a version-1 meta.properties. */
export function parseMetaProperties(bytes: Buffer): MetaProperties | string {
  const props = new Map<string, string>();
  for (const raw of bytes.toString('utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const at = line.search(/[=:]/);
    if (at < 0) continue;
    props.set(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  if (props.get('version') !== '1') return `unsupported meta.properties version ${props.get('version') ?? '(none)'}`;
  const clusterId = props.get('cluster.id');
  const nodeId = Number(props.get('node.id'));
  const directoryId = props.get('directory.id') ?? '';
  if (clusterId === undefined || clusterId === '') return 'meta.properties has no cluster.id';
  if (!Number.isInteger(nodeId) || props.get('node.id') === undefined) return 'meta.properties has no valid node.id';
  return { clusterId, nodeId, directoryId };
}
