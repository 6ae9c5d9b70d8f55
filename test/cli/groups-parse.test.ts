import { describe, expect, it } from 'vitest';
import { decodeAssignment } from '../../src/cli/commands/groups-admin.js';
import { parseDateTime, parseDuration } from '../../src/cli/commands/groups.js';
import { encodeConsumerProtocolAssignment } from '../../src/protocol/generated/clients/consumer-protocol-assignment.js';
import { Writer } from '../../src/protocol/writer.js';

describe('--to-datetime', () => {
  it("reads Kafka's format, UTC unless a zone is given", () => {
    expect(parseDateTime('2024-05-01T12:00:00.000')).toBe(Date.UTC(2024, 4, 1, 12));
    expect(parseDateTime('2024-05-01T12:00:00.250Z')).toBe(Date.UTC(2024, 4, 1, 12, 0, 0, 250));
    expect(parseDateTime('2024-05-01T12:00:00.000+02:00')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseDateTime('2024-05-01T12:00:00.000-0130')).toBe(Date.UTC(2024, 4, 1, 13, 30));
    expect(parseDateTime('2024-05-01T12:00:00.000+05')).toBe(Date.UTC(2024, 4, 1, 7));
  });

  it('refuses anything else, strictly', () => {
    for (const bad of ['2024-05-01', '2024-05-01T12:00:00', '2024-02-30T00:00:00.000', '2024-05-01T24:00:00.000', '2024-05-01 12:00:00.000', 'yesterday']) {
      expect(() => parseDateTime(bad), bad).toThrow(/--to-datetime takes/);
    }
  });
});

describe('--by-duration', () => {
  it("reads Java's Duration syntax", () => {
    expect(parseDuration('PT30M')).toBe(30 * 60_000);
    expect(parseDuration('P1DT2H')).toBe(26 * 3_600_000);
    expect(parseDuration('P2D')).toBe(2 * 86_400_000);
    expect(parseDuration('pt1.5s')).toBe(1_500);
    expect(parseDuration('-PT1S')).toBe(-1_000);
  });

  it('refuses anything else', () => {
    for (const bad of ['P', 'PT', 'P1DT', '1d', 'P1H', 'PT1D']) expect(() => parseDuration(bad), bad).toThrow(/--by-duration takes/);
  });
});

describe('classic member assignments', () => {
  it('decodes ConsumerProtocolAssignment after its version, and nothing from empty or broken bytes', () => {
    const w = new Writer();
    w.writeInt16(1);
    encodeConsumerProtocolAssignment(w, 1, {
      assignedPartitions: [
        { topic: 'b', partitions: [1, 0] },
        { topic: 'a', partitions: [2] },
      ],
      userData: null,
    });
    expect(decodeAssignment(w.finishToBuffer())).toEqual([
      { topic: 'a', partition: 2 },
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 1 },
    ]);
    expect(decodeAssignment(Buffer.alloc(0))).toEqual([]);
    expect(decodeAssignment(Buffer.from([0, 1, 0]))).toEqual([]);
  });
});
