import { describe, expect, it } from 'vitest';
import { createQuorumStateData, createQuorumStateDataVoter } from '../../src/protocol/generated/raft/quorum-state-data.js';
import { MalformedQuorumStateError, QuorumStateFile, formatQuorumState, parseQuorumState } from '../../src/raft/quorum-state.js';
import { ManualClock } from '../../src/util/clock.js';
import { MemoryFileSystem } from '../../src/util/memory-file-system.js';
import { SeededRandom } from '../../src/util/random.js';

describe('quorum-state', () => {
  it("is Kafka's QuorumStateData JSON at data_version 0", () => {
    const state = createQuorumStateData({ leaderId: 1, leaderEpoch: 5, votedId: 1, currentVoters: [createQuorumStateDataVoter({ voterId: 1 })] });
    expect(formatQuorumState(state)).toBe(
      '{"clusterId":"","leaderId":1,"leaderEpoch":5,"votedId":1,"appliedOffset":0,"currentVoters":[{"voterId":1}],"data_version":0}',
    );
  });

  it('reads what Kafka writes at data_version 0 and 1', () => {
    const v0 = parseQuorumState('{"clusterId":"","leaderId":3,"leaderEpoch":12,"votedId":-1,"appliedOffset":0,"currentVoters":[{"voterId":3}],"data_version":0}');
    expect([v0.leaderId, v0.leaderEpoch, v0.votedId, v0.currentVoters?.map((v) => v.voterId)]).toEqual([3, 12, -1, [3]]);
    const v1 = parseQuorumState('{"leaderId":-1,"leaderEpoch":4,"votedId":2,"votedDirectoryId":"AAAAAAAAAAAAAAAAAAAAAA","data_version":1}');
    expect([v1.leaderId, v1.leaderEpoch, v1.votedId, v1.currentVoters]).toEqual([-1, 4, 2, []]);
  });

  it('names the file when it is malformed', async () => {
    const clock = new ManualClock();
    const fs = new MemoryFileSystem(clock, new SeededRandom(1));
    fs.mkdir('/meta');
    const file = new QuorumStateFile(fs, '/meta');
    expect(file.read()).toBeNull();
    await file.write(createQuorumStateData({ leaderId: 1, leaderEpoch: 2 }));
    expect(file.read()?.leaderEpoch).toBe(2);
    for (const text of ['{', '[]', '{"leaderId":1,"leaderEpoch":"2","votedId":-1,"data_version":0}', '{"leaderId":1,"leaderEpoch":2,"votedId":-1,"data_version":7}']) {
      const handle = fs.open('/meta/quorum-state', 'create');
      handle.write(Buffer.from(text), 0);
      handle.close();
      expect(() => file.read()).toThrow(MalformedQuorumStateError);
      expect(() => file.read()).toThrow(/^\/meta\/quorum-state is malformed: /);
    }
  });
});
