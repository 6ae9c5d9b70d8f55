// The import directions of DESIGN.md: which folder of src/ may import which.
export const LAYERS = {
  util: [],
  protocol: ['util'],
  network: ['protocol', 'util'],
  client: ['protocol', 'util'],
  storage: ['protocol', 'util'],
  raft: ['protocol', 'util'],
  metadata: ['raft', 'protocol', 'util'],
  replication: ['storage', 'metadata', 'client', 'protocol', 'util'],
  coordinator: ['replication', 'metadata', 'protocol', 'util'],
  security: ['metadata', 'protocol', 'util'],
  config: ['storage', 'protocol', 'util'],
  metrics: ['util'],
  server: ['network', 'client', 'storage', 'raft', 'metadata', 'replication', 'coordinator', 'security', 'config', 'metrics', 'protocol', 'util'],
  cli: ['server', 'client', 'config', 'storage', 'protocol', 'util'],
};

/** Folders that are entry points: they may import anything. */
export const ENTRY_FILES = ['index.ts', 'main.ts'];
