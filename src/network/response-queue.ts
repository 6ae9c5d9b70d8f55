/** Sent slots are dropped from the array in batches rather than shifted one by one. */
const COMPACT_AFTER = 1024;

/** A place in the response order, reserved when a request arrives. */
export interface ResponseSlot {
  /** Hands over the response frame, or null when the request gets no response (acks=0 Produce). */
  complete(frame: Buffer[] | null): void;
}

interface PendingSlot extends ResponseSlot {
  done: boolean;
  frame: Buffer[] | null;
}

/**
 * Keeps responses in request order whatever order their handlers finish in: a slot is reserved
 * per request, and completed slots leave the queue only from its head.
 */
export class ResponseQueue {
  private readonly slots: PendingSlot[] = [];
  private head = 0;

  constructor(private readonly send: (frame: Buffer[]) => void) {}

  /** Requests received whose responses have not been sent (or dropped) yet. */
  get inFlight(): number {
    return this.slots.length - this.head;
  }

  reserve(): ResponseSlot {
    const slot: PendingSlot = {
      done: false,
      frame: null,
      complete: (frame) => {
        if (slot.done) throw new Error('response slot completed twice');
        slot.done = true;
        slot.frame = frame;
        this.flush();
      },
    };
    this.slots.push(slot);
    return slot;
  }

  private flush(): void {
    while (this.head < this.slots.length && this.slots[this.head].done) {
      const slot = this.slots[this.head++];
      if (slot.frame !== null) this.send(slot.frame);
    }
    if (this.head === this.slots.length || this.head >= COMPACT_AFTER) {
      this.slots.splice(0, this.head);
      this.head = 0;
    }
  }
}
