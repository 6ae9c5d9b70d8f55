import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { RECORD_BATCH_MAGIC, LOG_OVERHEAD, BATCH_HEADER, RecordBatchHeader } from '../../protocol/records/batch-header.js';
import { decodeBatchRecords, recordOffset, recordTimestamp } from '../../protocol/records/batch-records.js';
import { type CommandContext, UsageError, printLine, runAction } from '../command-context.js';

interface DumpLogOptions {
  files: string;
  'print-data-log': boolean;
}

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
/** Bytes of the .index entries (relative offset u32, position u32) and .timeindex entries (timestamp i64, relative offset u32). */
const OFFSET_ENTRY = 8;
const TIME_ENTRY = 12;

/** `gregor dump-log` and `kafka-dump-log`: decode segment and index files offline, checking their integrity. */
export function dumpLogCommand(command: string, context: CommandContext): CommandModule<object, DumpLogOptions> {
  return {
    command,
    describe: 'print the batches, records and index entries of log segment files, and check them',
    builder: (y) =>
      y
        .option('files', { type: 'string', demandOption: true, describe: 'comma-separated .log, .index and .timeindex files' })
        .option('print-data-log', { type: 'boolean', default: false, describe: 'print every record: offset, timestamp, key, payload, headers' }),
    handler: (argv) =>
      runAction(context, async () => {
        const files = argv.files.split(',').filter((f) => f !== '');
        if (files.length === 0) throw new UsageError('--files names no file');
        for (const file of files) kindOf(file);
        const problems: string[] = [];
        for (const file of files) {
          printLine(`Dumping ${file}`);
          for (const problem of dumpFile(file, argv['print-data-log'])) problems.push(`${file}: ${problem}`);
        }
        for (const problem of problems.slice(0, -1)) process.stderr.write(`${context.program}: ${problem}\n`);
        if (problems.length > 0) throw new Error(problems[problems.length - 1]);
      }),
  };
}

type FileKind = 'log' | 'index' | 'timeindex';

/** What a segment file's name says: 00000000000000000042.log is the log of the segment at offset 42. */
function kindOf(file: string): { kind: FileKind; baseOffset: number } {
  const match = /^(\d{20})\.(log|index|timeindex)$/.exec(path.basename(file));
  if (!match) throw new UsageError(`${file}: not a segment file name (20 digits of base offset, then .log, .index or .timeindex)`);
  return { kind: match[2] as FileKind, baseOffset: Number(match[1]) };
}

/** Prints one file; returns the problems found in it. */
function dumpFile(file: string, printData: boolean): string[] {
  const { kind, baseOffset } = kindOf(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (kind === 'log') return dumpSegment(bytes, baseOffset, printData);
  if (kind === 'timeindex') return dumpTimeIndex(bytes, baseOffset);
  return dumpOffsetIndex(bytes, baseOffset);
}

function dumpSegment(bytes: Buffer, baseOffset: number, printData: boolean): string[] {
  printLine(`Log starting offset: ${baseOffset}`);
  let position = 0;
  while (position < bytes.length) {
    if (bytes.length - position < BATCH_HEADER.size) return [`torn tail: ${bytes.length - position} bytes at position ${position} are too few for a batch header`];
    const batchLength = bytes.readInt32BE(position + BATCH_HEADER.batchLength);
    if (batchLength < BATCH_HEADER.size - LOG_OVERHEAD) return [`corrupt batch at position ${position}: length ${batchLength} is shorter than a batch header`];
    const size = batchLength + LOG_OVERHEAD;
    if (position + size > bytes.length) return [`torn tail: the batch at position ${position} needs ${size} bytes, ${bytes.length - position} are left`];
    const batch = new RecordBatchHeader(bytes.subarray(position, position + size));
    if (batch.magic !== RECORD_BATCH_MAGIC) return [`corrupt batch at position ${position}: magic ${batch.magic}, expected ${RECORD_BATCH_MAGIC}`];
    const crcValid = batch.isCrcValid();
    const lastSequence = batch.baseSequence < 0 ? -1 : batch.baseSequence + batch.lastOffsetDelta;
    printLine(
      `baseOffset: ${batch.baseOffset} lastOffset: ${batch.lastOffset} count: ${batch.recordCount} baseSequence: ${batch.baseSequence} lastSequence: ${lastSequence}` +
        ` producerId: ${batch.producerId} producerEpoch: ${batch.producerEpoch} partitionLeaderEpoch: ${batch.partitionLeaderEpoch}` +
        ` isTransactional: ${batch.isTransactional} isControl: ${batch.isControl} position: ${position}` +
        ` ${batch.isLogAppendTime ? 'LogAppendTime' : 'CreateTime'}: ${batch.maxTimestamp} size: ${size} magic: ${batch.magic}` +
        ` compresscodec: ${CODEC_NAMES[batch.compression] ?? `unknown(${batch.compression})`} crcValid: ${crcValid}`,
    );
    if (!crcValid) return [`corrupt batch at position ${position} (offsets ${batch.baseOffset}-${batch.lastOffset}): CRC ${batch.crc} stored, ${batch.computeCrc()} computed`];
    if (printData) {
      let records;
      try {
        records = decodeBatchRecords(batch);
      } catch (err) {
        return [`corrupt records in the batch at position ${position}: ${(err as Error).message}`];
      }
      const timestampType = batch.isLogAppendTime ? 'LogAppendTime' : 'CreateTime';
      for (const record of records) {
        const sequence = batch.baseSequence < 0 ? -1 : batch.baseSequence + record.offsetDelta;
        printLine(
          `| offset: ${recordOffset(batch, record)} ${timestampType}: ${recordTimestamp(batch, record)} keySize: ${record.key?.length ?? -1} valueSize: ${record.value?.length ?? -1}` +
            ` sequence: ${sequence} headerKeys: [${record.headers.map((h) => h.key).join(',')}]` +
            (record.key === null ? '' : ` key: ${record.key.toString('utf8')}`) +
            (record.value === null ? '' : ` payload: ${record.value.toString('utf8')}`),
        );
      }
    }
    position += size;
  }
  return [];
}

/**
 * Index files of the active segment are preallocated with zeros: entries stop at the first one
 * after the first that goes back to relative offset 0.
 */
function dumpOffsetIndex(bytes: Buffer, baseOffset: number): string[] {
  const problems = bytes.length % OFFSET_ENTRY === 0 ? [] : [`torn tail: ${bytes.length} bytes is not a whole number of ${OFFSET_ENTRY}-byte entries`];
  let previous = -1;
  for (let at = 0; at + OFFSET_ENTRY <= bytes.length; at += OFFSET_ENTRY) {
    const relative = bytes.readUInt32BE(at);
    if (at > 0 && relative === 0) break;
    if (relative <= previous) return [...problems, `corrupt index: entry ${at / OFFSET_ENTRY} has offset ${baseOffset + relative}, not above ${baseOffset + previous}`];
    previous = relative;
    printLine(`offset: ${baseOffset + relative} position: ${bytes.readUInt32BE(at + 4)}`);
  }
  return problems;
}

function dumpTimeIndex(bytes: Buffer, baseOffset: number): string[] {
  const problems = bytes.length % TIME_ENTRY === 0 ? [] : [`torn tail: ${bytes.length} bytes is not a whole number of ${TIME_ENTRY}-byte entries`];
  for (let at = 0; at + TIME_ENTRY <= bytes.length; at += TIME_ENTRY) {
    const timestamp = bytes.readInt32BE(at) * 4294967296 + bytes.readUInt32BE(at + 4);
    const relative = bytes.readUInt32BE(at + 8);
    if (at > 0 && timestamp === 0 && relative === 0) break;
    printLine(`timestamp: ${timestamp} offset: ${baseOffset + relative}`);
  }
  return problems;
}
