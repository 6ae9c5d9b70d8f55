import { NO_SEQUENCE } from '../../protocol/records/batch-header.js';

export const INT32_MAX = 0x7fffffff;

/** `sequence + increment`, wrapping past Int32 max to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
export function incrementSequence(sequence: number, increment: number): number {
  return sequence > INT32_MAX - increment ? increment - (INT32_MAX - sequence) - 1 : sequence + increment;
}

/** `sequence - decrement`, wrapping below 0 to Int32 max (Kafka's DefaultRecordBatch.decrementSequence). */
export function decrementSequence(sequence: number, decrement: number): number {
  return sequence < decrement ? INT32_MAX - (decrement - sequence) + 1 : sequence - decrement;
}

/** The sequence of a batch's last record: its base sequence plus its last offset delta, wrapped. */
export function lastSequenceOf(baseSequence: number, lastOffsetDelta: number): number {
  return baseSequence === NO_SEQUENCE ? NO_SEQUENCE : incrementSequence(baseSequence, lastOffsetDelta);
}

/** Whether `next` directly follows `last`; after Int32 max comes 0. */
export function inSequence(last: number, next: number): boolean {
  return next === last + 1 || (next === 0 && last === INT32_MAX);
}
