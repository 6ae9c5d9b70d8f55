import { describe, expect, it } from 'vitest';
import { ConnectionError, KafkaProtocolError, RequestTimeoutError, isRetriable, throwIfError } from '../../src/client/errors.js';
import { ErrorCode } from '../../src/protocol/generated/error-codes.js';
import { KafkaError } from '../../src/util/kafka-error.js';

describe('KafkaProtocolError', () => {
  it("carries the code, Kafka's name for it, its description and whether it is retriable", () => {
    const error = new KafkaProtocolError(ErrorCode.NOT_LEADER_OR_FOLLOWER, 'Produce to orders-3');

    expect(error).toBeInstanceOf(KafkaError);
    expect(error).toMatchObject({ errorCode: 6, errorName: 'NOT_LEADER_OR_FOLLOWER', name: 'NOT_LEADER_OR_FOLLOWER', retriable: true });
    expect(error.message).toMatch(/^Produce to orders-3: NOT_LEADER_OR_FOLLOWER: For requests intended only for the leader/);
  });

  it("prefers the broker's own error message", () => {
    const error = new KafkaProtocolError(ErrorCode.INVALID_CONFIG, 'CreateTopics orders', 'cleanup.policy: unknown value "compacted"');

    expect(error.message).toBe('CreateTopics orders: INVALID_CONFIG: cleanup.policy: unknown value "compacted"');
    expect(error.retriable).toBe(false);
  });

  it('names codes it does not know and treats them as fatal', () => {
    const error = new KafkaProtocolError(9999, 'Fetch');

    expect(error.errorName).toBe('UNKNOWN_ERROR_CODE_9999');
    expect(error.retriable).toBe(false);
  });

  it('is thrown by throwIfError for anything but NONE', () => {
    expect(() => throwIfError(ErrorCode.NONE, 'Heartbeat')).not.toThrow();
    expect(() => throwIfError(ErrorCode.REBALANCE_IN_PROGRESS, 'Heartbeat')).toThrow(KafkaProtocolError);
  });
});

describe('isRetriable', () => {
  it('retries retriable codes, broken connections and timeouts, nothing else', () => {
    expect(isRetriable(new KafkaProtocolError(ErrorCode.LEADER_NOT_AVAILABLE, 'x'))).toBe(true);
    expect(isRetriable(new KafkaProtocolError(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'x'))).toBe(false);
    expect(isRetriable(new ConnectionError('h:1', 'closed'))).toBe(true);
    expect(isRetriable(new RequestTimeoutError('h:1', 'timed out'))).toBe(true);
    expect(isRetriable(new Error('bug'))).toBe(false);
  });
});
