/**
 * The numbers and lines of Kafka's perf tools (ProducerPerformance.Stats and ConsumerPerformance),
 * pure: every method takes the time it is called at.
 */

const MB = 1024 * 1024;

/** Java's %.Nf: fixed decimals, "NaN" and "Infinity" as Java prints them. */
function fixed(value: number, decimals: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  return value.toFixed(decimals);
}

export interface ProducerSummary {
  records: number;
  recordsPerSec: number;
  mbPerSec: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
}

/** Kafka's ProducerPerformance.Stats: windows of reportingIntervalMs, and sampled latencies for the percentiles. */
export class ProducerStats {
  private readonly sampling: number;
  private readonly latencies: number[] = [];
  private iteration = 0;
  private count = 0;
  private bytes = 0;
  private totalLatency = 0;
  private maxLatency = 0;
  private windowStart: number;
  private windowCount = 0;
  private windowBytes = 0;
  private windowTotalLatency = 0;
  private windowMaxLatency = 0;

  constructor(
    numRecords: number,
    private readonly reportingIntervalMs: number,
    private readonly start: number,
    /** Receives each window's progress line. */
    private readonly report: (line: string) => void,
  ) {
    this.sampling = Math.max(1, Math.floor(numRecords / Math.max(1, Math.min(numRecords, 500_000))));
    this.windowStart = start;
  }

  /** One acknowledged record: its latency, payload size and when its answer came. */
  record(latencyMs: number, bytes: number, now: number): void {
    this.count++;
    this.bytes += bytes;
    this.totalLatency += latencyMs;
    this.maxLatency = Math.max(this.maxLatency, latencyMs);
    this.windowCount++;
    this.windowBytes += bytes;
    this.windowTotalLatency += latencyMs;
    this.windowMaxLatency = Math.max(this.windowMaxLatency, latencyMs);
    if (this.iteration % this.sampling === 0) this.latencies.push(latencyMs);
    if (now - this.windowStart >= this.reportingIntervalMs) {
      this.report(this.windowLine(now));
      this.windowStart = now;
      this.windowCount = 0;
      this.windowBytes = 0;
      this.windowTotalLatency = 0;
      this.windowMaxLatency = 0;
    }
    this.iteration++;
  }

  /** `N records sent, X records/sec (Y MB/sec), Z ms avg latency, W ms max latency.` */
  windowLine(now: number): string {
    const elapsed = now - this.windowStart;
    const recsPerSec = (1000 * this.windowCount) / elapsed;
    const mbPerSec = (1000 * this.windowBytes) / elapsed / MB;
    return `${this.windowCount} records sent, ${fixed(recsPerSec, 1)} records/sec (${fixed(mbPerSec, 2)} MB/sec), ${fixed(this.windowTotalLatency / this.windowCount, 1)} ms avg latency, ${fixed(this.windowMaxLatency, 1)} ms max latency.`;
  }

  summary(now: number): ProducerSummary {
    const elapsed = now - this.start;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const percentile = (p: number): number => sorted[Math.floor(p * sorted.length)] ?? 0;
    return {
      records: this.count,
      recordsPerSec: (1000 * this.count) / elapsed,
      mbPerSec: (1000 * this.bytes) / elapsed / MB,
      avgLatencyMs: this.count === 0 ? 0 : this.totalLatency / this.count,
      maxLatencyMs: this.maxLatency,
      p50Ms: percentile(0.5),
      p95Ms: percentile(0.95),
      p99Ms: percentile(0.99),
      p999Ms: percentile(0.999),
    };
  }
}

/** Kafka's final line: `N records sent, X records/sec (Y MB/sec), ... ms 99.9th.` */
export function producerSummaryLine(s: ProducerSummary): string {
  return (
    `${s.records} records sent, ${fixed(s.recordsPerSec, 6)} records/sec (${fixed(s.mbPerSec, 2)} MB/sec), ` +
    `${fixed(s.avgLatencyMs, 2)} ms avg latency, ${fixed(s.maxLatencyMs, 2)} ms max latency, ` +
    `${s.p50Ms} ms 50th, ${s.p95Ms} ms 95th, ${s.p99Ms} ms 99th, ${s.p999Ms} ms 99.9th.`
  );
}

export interface ConsumerSummary {
  startMs: number;
  endMs: number;
  mb: number;
  mbPerSec: number;
  messages: number;
  messagesPerSec: number;
  rebalanceTimeMs: number;
  fetchTimeMs: number;
  fetchMbPerSec: number;
  fetchMessagesPerSec: number;
}

export function consumerSummary(startMs: number, endMs: number, bytes: number, messages: number, rebalanceTimeMs: number): ConsumerSummary {
  const elapsedSec = (endMs - startMs) / 1000;
  const fetchTimeMs = endMs - startMs - rebalanceTimeMs;
  const mb = bytes / MB;
  return {
    startMs,
    endMs,
    mb,
    mbPerSec: mb / elapsedSec,
    messages,
    messagesPerSec: messages / elapsedSec,
    rebalanceTimeMs,
    fetchTimeMs,
    fetchMbPerSec: mb / (fetchTimeMs / 1000),
    fetchMessagesPerSec: messages / (fetchTimeMs / 1000),
  };
}

export const CONSUMER_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
export const CONSUMER_DETAILED_HEADER = 'time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';

/** The summary as Kafka's consumer perf test prints it, in the order of CONSUMER_HEADER. */
export function consumerSummaryFields(s: ConsumerSummary, dateFormat: string): string[] {
  return [
    formatDate(s.startMs, dateFormat),
    formatDate(s.endMs, dateFormat),
    fixed(s.mb, 4),
    fixed(s.mbPerSec, 4),
    String(s.messages),
    fixed(s.messagesPerSec, 4),
    String(s.rebalanceTimeMs),
    String(s.fetchTimeMs),
    fixed(s.fetchMbPerSec, 4),
    fixed(s.fetchMessagesPerSec, 4),
  ];
}

/** One --show-detailed-stats line: the interval since the last one. */
export function consumerProgressLine(
  now: number,
  dateFormat: string,
  bytes: number,
  lastBytes: number,
  messages: number,
  lastMessages: number,
  intervalStartMs: number,
  joinTimeMs: number,
): string {
  const elapsedMs = now - intervalStartMs;
  const mb = bytes / MB;
  const intervalMb = (bytes - lastBytes) / MB;
  const intervalMessages = messages - lastMessages;
  const fetchTimeMs = elapsedMs - joinTimeMs;
  return [
    formatDate(now, dateFormat),
    '0',
    fixed(mb, 4),
    fixed((1000 * intervalMb) / elapsedMs, 4),
    String(messages),
    fixed((1000 * intervalMessages) / elapsedMs, 4),
    String(joinTimeMs),
    String(fetchTimeMs),
    fixed(fetchTimeMs <= 0 ? 0 : (1000 * intervalMb) / fetchTimeMs, 4),
    fixed(fetchTimeMs <= 0 ? 0 : (1000 * intervalMessages) / fetchTimeMs, 4),
  ].join(', ');
}

export const DEFAULT_DATE_FORMAT = 'yyyy-MM-dd HH:mm:ss:SSS';

/** Java SimpleDateFormat's common letters (yyyy, yy, MM, dd, HH, mm, ss, SSS), in local time; other text is kept. */
export function formatDate(ms: number, pattern: string): string {
  const d = new Date(ms);
  const pad = (n: number, width: number): string => String(n).padStart(width, '0');
  return pattern.replace(/yyyy|yy|MM|dd|HH|mm|ss|SSS/g, (token) => {
    switch (token) {
      case 'yyyy':
        return pad(d.getFullYear(), 4);
      case 'yy':
        return pad(d.getFullYear() % 100, 2);
      case 'MM':
        return pad(d.getMonth() + 1, 2);
      case 'dd':
        return pad(d.getDate(), 2);
      case 'HH':
        return pad(d.getHours(), 2);
      case 'mm':
        return pad(d.getMinutes(), 2);
      case 'ss':
        return pad(d.getSeconds(), 2);
      default:
        return pad(d.getMilliseconds(), 3);
    }
  });
}
