import { ErrorCode } from '../protocol/generated/error-codes.js';
import type { Random } from '../util/random.js';

/** KIP-227's sentinels: no session; the epoch that starts one; the epoch that ends one (or asks for none). */
export const INVALID_SESSION_ID = 0;
export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;

const INT32_MAX = 0x7fffffff;

/** The epoch a session expects after `epoch` (Kafka's FetchMetadata.nextEpoch). */
export function nextEpoch(epoch: number): number {
  if (epoch < 0) return FINAL_EPOCH;
  return epoch === INT32_MAX ? 1 : epoch + 1;
}

/** What a fetcher asks of one partition. */
export interface PartitionFetchData {
  readonly fetchOffset: number;
  readonly logStartOffset: number;
  readonly maxBytes: number;
  readonly currentLeaderEpoch: number;
  readonly lastFetchedEpoch: number;
}

/**
 * A partition as a fetch names it: by topic id from Fetch v13 (the name resolved from the
 * image, null for an unknown id), by name before (the id is then the zero UUID).
 */
export interface FetchPartitionId {
  readonly topicId: string;
  readonly topic: string | null;
  readonly partition: number;
}

export interface FetchTarget extends FetchPartitionId {
  readonly data: PartitionFetchData;
}

/** The part of a partition's answer a session compares with what it sent last time. */
export interface SessionPartitionResult extends FetchPartitionId {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** Bytes of records read (before any conversion for old clients). */
  readonly recordsSize: number;
  readonly hasDivergingEpoch: boolean;
}

export interface FetchSessionRequest {
  readonly sessionId: number;
  readonly sessionEpoch: number;
  /** Fetch v13+: sessions are keyed by topic id. */
  readonly usesTopicIds: boolean;
  /** Followers' sessions may evict consumers' (KIP-227's privileged sessions). */
  readonly isFromFollower: boolean;
  readonly targets: readonly FetchTarget[];
  readonly forgotten: readonly FetchPartitionId[];
}

/**
 * How one fetch request relates to a session (Kafka's FetchContext): which partitions to read,
 * and which of the answers to send and under which session id.
 */
export interface FetchContext {
  /** NONE, or the top-level error that answers the whole request. */
  readonly errorCode: number;
  /** The partitions to read, in order. */
  readonly targets: readonly FetchTarget[];
  respond<R extends SessionPartitionResult>(results: readonly R[], now: number): { sessionId: number; partitions: R[] };
}

function keyOf(id: FetchPartitionId, usesTopicIds: boolean): string {
  return `${usesTopicIds ? id.topicId : id.topic}:${id.partition}`;
}

/**
 * A partition in a session: what the fetcher asked for last and what it was told last (-1 for
 * a partition added by an incremental request, so that its first answer is always sent).
 */
class CachedPartition {
  constructor(
    public id: FetchPartitionId,
    public data: PartitionFetchData,
    public highWatermark = -1,
    public logStartOffset = -1,
  ) {}

  /**
   * Whether an incremental response must include the partition (Kafka's maybeUpdateResponseData):
   * new records, a moved high watermark or log start, an error or a diverging epoch. What is sent
   * becomes the new reference; after an error the high watermark is forgotten so that the
   * partition is sent again once the error clears.
   */
  mustRespond(result: SessionPartitionResult): boolean {
    let must = result.recordsSize > 0 || result.hasDivergingEpoch;
    if (this.highWatermark !== result.highWatermark) {
      must = true;
      this.highWatermark = result.highWatermark;
    }
    if (this.logStartOffset !== result.logStartOffset) {
      must = true;
      this.logStartOffset = result.logStartOffset;
    }
    if (result.errorCode !== ErrorCode.NONE) {
      must = true;
      this.highWatermark = -1;
    }
    return must;
  }
}

/** One incremental fetch session (Kafka's FetchSession). */
export class FetchSession {
  epoch = nextEpoch(INITIAL_EPOCH);
  lastUsedMs: number;
  /** The partition count when last touched: the size eviction compares. */
  cachedSize = 0;
  /** Set when last touched: whether a new consumer session, or only a follower's, may evict this one. */
  evictableByAll = false;
  evictableByPrivileged = false;
  /** In the order partitions are read; a partition that returned records moves to the end. */
  readonly partitions = new Map<string, CachedPartition>();

  constructor(
    readonly id: number,
    readonly privileged: boolean,
    readonly usesTopicIds: boolean,
    readonly creationMs: number,
  ) {
    this.lastUsedMs = creationMs;
  }

  get size(): number {
    return this.partitions.size;
  }

  /** Adds or updates the partitions an incremental request names, then drops the forgotten ones. */
  update(targets: readonly FetchTarget[], forgotten: readonly FetchPartitionId[]): void {
    for (const target of targets) {
      const key = keyOf(target, this.usesTopicIds);
      const cached = this.partitions.get(key);
      if (cached === undefined) this.partitions.set(key, new CachedPartition(target, target.data));
      else cached.data = target.data;
    }
    for (const id of forgotten) this.partitions.delete(keyOf(id, this.usesTopicIds));
  }
}

export interface FetchSessionCacheOptions {
  /** max.incremental.fetch.session.cache.slots (Kafka's default 1000). */
  readonly maxSessions: number;
  /** min.incremental.fetch.session.eviction.ms (Kafka's default 120000): how long a session is safe from eviction. */
  readonly evictionMs: number;
  /** Draws session ids. */
  readonly random: Random;
}

/**
 * The broker's incremental fetch sessions (KIP-227, Kafka's FetchSessionCache): a full fetch may
 * open one, later fetches send only what changed and get only what changed. When every slot is
 * taken a new session evicts the least recently used one if it has been idle for evictionMs;
 * otherwise the smallest session that has lived for evictionMs, if the new one is at least as
 * large (followers' sessions may also evict younger consumer sessions). Pure: time and
 * randomness are inputs.
 */
export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(private readonly options: FetchSessionCacheOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  /**
   * Kafka's FetchManager.newContext. A full request (epoch 0 or -1) closes the session it names;
   * epoch 0 asks for a new one, -1 for none. An incremental request must name a live session
   * (FETCH_SESSION_ID_NOT_FOUND) at the epoch it expects (INVALID_FETCH_SESSION_EPOCH), keyed the
   * same way (FETCH_SESSION_TOPIC_ID_ERROR); a session that loses its last partition is closed.
   */
  newContext(request: FetchSessionRequest, now: number, resolveTopic: (topicId: string) => string | null): FetchContext {
    const { sessionId, sessionEpoch, usesTopicIds } = request;
    const targets = distinct(request.targets, usesTopicIds);
    if (sessionEpoch === INITIAL_EPOCH || sessionEpoch === FINAL_EPOCH) {
      if (sessionId !== INVALID_SESSION_ID) this.sessions.delete(sessionId);
      if (sessionEpoch === FINAL_EPOCH) return sessionless(targets);
      return this.fullContext(targets, request.isFromFollower, usesTopicIds);
    }
    const session = this.sessions.get(sessionId);
    if (session === undefined) return errorContext(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    if (session.epoch !== sessionEpoch) return errorContext(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    if (session.usesTopicIds !== usesTopicIds) return errorContext(ErrorCode.FETCH_SESSION_TOPIC_ID_ERROR);
    session.update(targets, request.forgotten);
    if (session.size === 0) {
      this.sessions.delete(session.id);
      return sessionless(targets);
    }
    this.touch(session, now);
    session.epoch = nextEpoch(session.epoch);
    return incrementalContext(session, resolveTopic);
  }

  private fullContext(targets: readonly FetchTarget[], privileged: boolean, usesTopicIds: boolean): FetchContext {
    return {
      errorCode: ErrorCode.NONE,
      targets,
      respond: (results, now) => {
        const byKey = new Map(targets.map((t) => [keyOf(t, usesTopicIds), t]));
        const sessionId = this.maybeCreateSession(now, privileged, results.length, usesTopicIds, (session) => {
          for (const result of results) {
            const key = keyOf(result, usesTopicIds);
            const target = byKey.get(key);
            if (target === undefined) continue;
            session.partitions.set(key, new CachedPartition(target, target.data, result.highWatermark, result.logStartOffset));
          }
        });
        return { sessionId, partitions: [...results] };
      },
    };
  }

  /** A new session when a slot is free or can be freed; INVALID_SESSION_ID otherwise. */
  private maybeCreateSession(
    now: number,
    privileged: boolean,
    size: number,
    usesTopicIds: boolean,
    fill: (session: FetchSession) => void,
  ): number {
    if (this.sessions.size >= this.options.maxSessions && !this.tryEvict(privileged, size, now)) return INVALID_SESSION_ID;
    let id: number;
    do id = this.options.random.between(1, INT32_MAX - 1);
    while (this.sessions.has(id));
    const session = new FetchSession(id, privileged, usesTopicIds, now);
    fill(session);
    this.sessions.set(id, session);
    this.touch(session, now);
    return id;
  }

  private tryEvict(privileged: boolean, size: number, now: number): boolean {
    let leastRecentlyUsed: FetchSession | null = null;
    for (const s of this.sessions.values()) {
      const lru = leastRecentlyUsed;
      if (lru === null || s.lastUsedMs < lru.lastUsedMs || (s.lastUsedMs === lru.lastUsedMs && s.id < lru.id)) leastRecentlyUsed = s;
    }
    if (leastRecentlyUsed === null) return false;
    if (now - leastRecentlyUsed.lastUsedMs > this.options.evictionMs) {
      this.sessions.delete(leastRecentlyUsed.id);
      return true;
    }
    let cheapest: FetchSession | null = null;
    for (const s of this.sessions.values()) {
      if (!(privileged ? s.evictableByPrivileged : s.evictableByAll)) continue;
      if (cheapest === null || compareEvictable(s, cheapest) < 0) cheapest = s;
    }
    if (cheapest === null || compareEvictable({ privileged, cachedSize: size, id: INVALID_SESSION_ID }, cheapest) < 0) return false;
    this.sessions.delete(cheapest.id);
    return true;
  }

  private touch(session: FetchSession, now: number): void {
    const old = now - session.creationMs > this.options.evictionMs;
    session.lastUsedMs = now;
    session.cachedSize = session.size;
    session.evictableByPrivileged = !session.privileged || old;
    session.evictableByAll = old;
  }
}

/** Kafka's EvictableKey order: unprivileged before privileged, then smaller, then lower id. */
function compareEvictable(
  a: { privileged: boolean; cachedSize: number; id: number },
  b: { privileged: boolean; cachedSize: number; id: number },
): number {
  if (a.privileged !== b.privileged) return a.privileged ? 1 : -1;
  return a.cachedSize - b.cachedSize || a.id - b.id;
}

/** One entry per partition, where it first appears, with the data it was given last (as Kafka's request map). */
function distinct(targets: readonly FetchTarget[], usesTopicIds: boolean): FetchTarget[] {
  const byKey = new Map<string, FetchTarget>();
  for (const target of targets) {
    const key = keyOf(target, usesTopicIds);
    const first = byKey.get(key);
    byKey.set(key, first === undefined ? target : { ...first, data: target.data });
  }
  return [...byKey.values()];
}

function sessionless(targets: readonly FetchTarget[]): FetchContext {
  return {
    errorCode: ErrorCode.NONE,
    targets,
    respond: (results) => ({ sessionId: INVALID_SESSION_ID, partitions: [...results] }),
  };
}

function errorContext(errorCode: number): FetchContext {
  return { errorCode, targets: [], respond: () => ({ sessionId: INVALID_SESSION_ID, partitions: [] }) };
}

function incrementalContext(session: FetchSession, resolveTopic: (topicId: string) => string | null): FetchContext {
  const targets: FetchTarget[] = [];
  for (const cached of session.partitions.values()) {
    if (session.usesTopicIds && cached.id.topic === null) cached.id = { ...cached.id, topic: resolveTopic(cached.id.topicId) };
    targets.push({ ...cached.id, data: cached.data });
  }
  return {
    errorCode: ErrorCode.NONE,
    targets,
    respond: (results) => {
      const partitions = results.filter((result) => {
        const key = keyOf(result, session.usesTopicIds);
        const cached = session.partitions.get(key);
        if (cached === undefined || !cached.mustRespond(result)) return false;
        if (result.recordsSize > 0) {
          session.partitions.delete(key);
          session.partitions.set(key, cached);
        }
        return true;
      });
      return { sessionId: session.id, partitions };
    },
  };
}
