import { ErrorCode } from '../protocol/generated/error-codes.js';
import { KafkaError } from '../util/kafka-error.js';

/** A range of producer ids the controller gave this broker. */
export interface ProducerIdRange {
  readonly start: number;
  readonly length: number;
}

/** Once this share of a block is handed out, the next block is fetched ahead (Kafka's PidPrefetchThreshold). */
const PREFETCH_THRESHOLD = 0.9;
/** Kafka's IterationLimit: blocks tried in one call before answering COORDINATOR_LOAD_IN_PROGRESS. */
const ITERATION_LIMIT = 3;

/**
 * Hands out producer ids from blocks the controller allocates (Kafka's RPCProducerIdManager). A
 * block is fetched ahead when 90% of the current one is used, so ids are normally handed out
 * without waiting. When none is left, a call waits for the block being fetched (Kafka answers
 * COORDINATOR_LOAD_IN_PROGRESS at once and lets the client retry); if the controller fails, it
 * answers COORDINATOR_LOAD_IN_PROGRESS, which every client retries.
 */
export class ProducerIdManager {
  private next = 0;
  private end = 0;
  private blockLength = 0;
  private nextBlock: ProducerIdRange | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    /** Asks the controller for a block (AllocateProducerIds); rejects when it cannot. */
    private readonly allocate: () => Promise<ProducerIdRange>,
  ) {}

  /** Whether ids can be handed out without asking the controller. */
  get hasValidBlock(): boolean {
    return this.next < this.end || this.nextBlock !== null;
  }

  async generateProducerId(): Promise<number> {
    for (let iteration = 0; iteration < ITERATION_LIMIT; ) {
      if (this.next < this.end) {
        const id = this.next++;
        const blockStart = this.end - this.blockLength;
        if (id === blockStart + Math.floor(this.blockLength * PREFETCH_THRESHOLD)) this.requestNextBlock();
        return id;
      }
      if (this.nextBlock !== null) {
        this.useBlock(this.nextBlock);
        this.nextBlock = null;
        iteration++;
        continue;
      }
      const failure = await this.requestNextBlock();
      if (failure !== null) throw failure;
      if (this.nextBlock === null) iteration++;
    }
    throw loadInProgress('Producer ID block is full. Waiting for next block');
  }

  private useBlock(block: ProducerIdRange): void {
    this.next = block.start;
    this.end = block.start + block.length;
    this.blockLength = block.length;
  }

  /** Fetches the next block unless one is on its way or waiting; resolves with the error if it failed. */
  private requestNextBlock(): Promise<KafkaError | null> {
    if (this.nextBlock !== null) return Promise.resolve(null);
    this.inFlight ??= this.allocate()
      .then((block) => {
        if (block.length <= 0 || block.start < this.end || !Number.isSafeInteger(block.start + block.length)) {
          throw new Error(`invalid producer id block [${block.start}, +${block.length}) after ${this.end}`);
        }
        this.nextBlock = block;
      })
      .finally(() => (this.inFlight = null));
    return this.inFlight.then(
      () => null,
      (err: unknown) => loadInProgress(`Could not allocate producer ids: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}

function loadInProgress(message: string): KafkaError {
  return new KafkaError('COORDINATOR_LOAD_IN_PROGRESS', ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, message);
}
