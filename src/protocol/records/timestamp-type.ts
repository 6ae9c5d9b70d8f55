/** Kafka's TimestampType: v2 batches and v1 messages carry one of the last two in their attributes. */
export const enum TimestampType {
  /** Magic v0 messages have no timestamp at all. */
  None = -1,
  CreateTime = 0,
  LogAppendTime = 1,
}

/** The timestamp of a record that has none (magic v0, or a producer that sent -1). */
export const NO_TIMESTAMP = -1;
