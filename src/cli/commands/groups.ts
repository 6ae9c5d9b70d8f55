import type { CommandModule } from 'yargs';
import { KafkaProtocolError } from '../../client/errors.js';
import type { KafkaClient } from '../../client/kafka-client.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { systemClock } from '../../util/clock.js';
import { type ConnectionOptions, connectionOptions, withClient } from '../admin-client.js';
import { type CommandContext, type OutputFormat, UsageError, formatTable, outputFormat, outputOption, printJson, printLine, runAction, warnLine } from '../command-context.js';
import {
  EARLIEST,
  type GroupDescription,
  LATEST,
  type TopicPartition,
  commitOffsets,
  committedOffsets,
  compareTopicPartitions,
  deleteGroups,
  deleteOffsets,
  describeGroup,
  existingTopics,
  listGroups,
  listOffsets,
  topicPartitions,
  tpKey,
} from './groups-admin.js';

interface GroupsOptions extends ConnectionOptions {
  list: boolean;
  describe: boolean;
  delete: boolean;
  'delete-offsets': boolean;
  'reset-offsets': boolean;
  group: string[];
  'all-groups': boolean;
  topic: string[];
  'all-topics': boolean;
  members: boolean;
  verbose: boolean;
  offsets: boolean;
  state?: string;
  type?: string;
  'to-earliest': boolean;
  'to-latest': boolean;
  'to-current': boolean;
  'to-offset'?: string;
  'to-datetime'?: string;
  'shift-by'?: string;
  'by-duration'?: string;
  'dry-run': boolean;
  execute: boolean;
  output?: string;
}

const ACTIONS = ['list', 'describe', 'delete', 'delete-offsets', 'reset-offsets'] as const;
type Action = (typeof ACTIONS)[number];

/** Kafka's consumer group states, as --list --state takes them (case-insensitive). */
const STATES = ['PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead', 'Empty', 'Assigning', 'Reconciling'];
const TYPES = ['classic', 'consumer'];
/** The states Kafka reports as a rebalance in progress. */
const REBALANCING = new Set(['PreparingRebalance', 'CompletingRebalance', 'Assigning', 'Reconciling']);
/** What Kafka's tool prints for a value it does not know. */
const MISSING = '-';

/** `gregor groups` and `kafka-consumer-groups`: list, describe and delete consumer groups, reset and delete their offsets. */
export function groupsCommand(command: string, context: CommandContext): CommandModule<object, GroupsOptions> {
  return {
    command,
    describe: 'list, describe and delete consumer groups; reset or delete their committed offsets',
    builder: (y) =>
      outputOption(
        connectionOptions(y)
          .option('list', { type: 'boolean', default: false, describe: 'list the consumer groups' })
          .option('describe', { type: 'boolean', default: false, describe: 'offsets and lag per partition (default), or --members, or --state' })
          .option('delete', { type: 'boolean', default: false, describe: 'delete groups that have no members, with their offsets' })
          .option('delete-offsets', { type: 'boolean', default: false, describe: "delete a group's committed offsets of --topic" })
          .option('reset-offsets', { type: 'boolean', default: false, describe: "reset an inactive group's committed offsets (a dry run unless --execute)" })
          .option('group', { type: 'string', array: true, default: [] as string[], describe: 'the group id (repeatable for --describe, --delete, --reset-offsets)' })
          .option('all-groups', { type: 'boolean', default: false, describe: 'every consumer group (--describe, --delete, --reset-offsets)' })
          .option('topic', { type: 'string', array: true, default: [] as string[], describe: "a topic, or 'topic:0,1' for some partitions (repeatable)" })
          .option('all-topics', { type: 'boolean', default: false, describe: 'with --reset-offsets: every topic the group has offsets for' })
          .option('members', { type: 'boolean', default: false, describe: 'with --describe: the members' })
          .option('verbose', { type: 'boolean', default: false, describe: 'with --describe --members: each member’s partitions' })
          .option('offsets', { type: 'boolean', default: false, describe: 'with --describe: offsets and lag per partition (the default)' })
          .option('state', { type: 'string', describe: "with --describe: coordinator, assignor, state, members; with --list: show states, or keep only those named ('Stable,Empty')" })
          .option('type', { type: 'string', describe: "with --list: show types, or keep only those named ('classic,consumer')" })
          .option('to-earliest', { type: 'boolean', default: false, describe: 'reset to the earliest offset' })
          .option('to-latest', { type: 'boolean', default: false, describe: 'reset to the log end offset' })
          .option('to-current', { type: 'boolean', default: false, describe: 'reset to the committed offset (the log end offset where none is)' })
          .option('to-offset', { type: 'string', describe: 'reset to this offset (kept within the earliest and latest)' })
          .option('to-datetime', { type: 'string', describe: "reset to the first offset at or after a time: 'YYYY-MM-DDTHH:mm:SS.sss', UTC unless it ends in Z or ±hh:mm" })
          .option('shift-by', { type: 'string', describe: 'move the committed offsets by N (negative: back)' })
          .option('by-duration', { type: 'string', describe: "reset to the first offset at or after now minus an ISO-8601 duration, 'PnDTnHnMnS'" })
          .option('dry-run', { type: 'boolean', default: false, describe: 'with --reset-offsets: show the new offsets only (the default)' })
          .option('execute', { type: 'boolean', default: false, describe: 'with --reset-offsets: commit the new offsets' }),
        context,
      ),
    handler: (argv) =>
      runAction(context, () => {
        const chosen = ACTIONS.filter((a) => argv[a]);
        if (chosen.length !== 1) throw new UsageError('Command must include exactly one action: --list, --describe, --delete, --reset-offsets, --delete-offsets');
        const format = outputFormat(context, argv.output);
        const run = ACTION_RUNNERS[chosen[0]](argv, context, format);
        return withClient(argv, 'gregor-consumer-groups', warnLine(context), run);
      }),
  };
}

type Runner = (argv: GroupsOptions, context: CommandContext, format: OutputFormat) => (client: KafkaClient) => Promise<void>;

/** Each action checks its flags first (a usage error sends nothing), then returns what runs with the client. */
const ACTION_RUNNERS: Readonly<Record<Action, Runner>> = {
  list: listAction,
  describe: describeAction,
  delete: deleteAction,
  'delete-offsets': deleteOffsetsAction,
  'reset-offsets': resetOffsetsAction,
};

// ---- flags --------------------------------------------------------------------------------------

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** --group (one or more) or --all-groups, as Kafka's tool requires for the action. */
function groupScope(argv: GroupsOptions, action: Action): { all: boolean; groups: string[] } {
  const groups = unique(argv.group);
  if (argv['all-groups'] && groups.length > 0) throw new UsageError(`--${action} takes --group or --all-groups, not both`);
  if (!argv['all-groups'] && groups.length === 0) throw new UsageError(`--${action} needs --group or --all-groups`);
  return { all: argv['all-groups'], groups };
}

async function resolveGroups(client: KafkaClient, scope: { all: boolean; groups: string[] }): Promise<string[]> {
  return scope.all ? (await listGroups(client, [], [])).map((g) => g.groupId) : scope.groups;
}

/** A comma-separated list of names from a fixed set (case-insensitive), in their canonical spelling. */
function parseNames(text: string, valid: readonly string[], what: string): string[] {
  if (text.trim() === '') return [];
  return unique(
    text.split(',').map((raw) => {
      const name = valid.find((v) => v.toLowerCase() === raw.trim().toLowerCase());
      if (name === undefined) throw new UsageError(`Invalid ${what} list '${text}'. Valid ${what}s are: ${valid.join(', ')}`);
      return name;
    }),
  );
}

/** --topic values: `t` (every partition) or `t:0,1,2`. */
function parseTopicArgs(values: readonly string[]): { whole: string[]; partitions: TopicPartition[] } {
  const whole: string[] = [];
  const partitions: TopicPartition[] = [];
  for (const value of values) {
    const colon = value.lastIndexOf(':');
    if (colon < 0) {
      if (value === '') throw new UsageError('--topic needs a topic name');
      whole.push(value);
      continue;
    }
    const topic = value.slice(0, colon);
    const list = value.slice(colon + 1).split(',');
    if (topic === '' || list.some((p) => !/^\d+$/.test(p.trim()))) throw new UsageError(`--topic takes 'topic' or 'topic:0,1,2', got '${value}'`);
    for (const p of list) partitions.push({ topic, partition: Number(p.trim()) });
  }
  return { whole: unique(whole), partitions };
}

function parseInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!/^[-+]?\d+$/.test(text.trim()) || !Number.isSafeInteger(value)) throw new UsageError(`${flag} takes an integer, got '${text}'`);
  return value;
}

/**
 * Kafka's Utils.getDateTime: 'YYYY-MM-DDTHH:mm:SS.sss', then optionally Z or an offset
 * (±hh, ±hhmm, ±hh:mm); without one the time is UTC, as in Kafka.
 */
export function parseDateTime(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{3})(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text);
  const bad = new UsageError(`--to-datetime takes 'YYYY-MM-DDTHH:mm:SS.sss' with an optional Z or ±hh:mm, got '${text}'`);
  if (!m) throw bad;
  const [year, month, day, hour, minute, second, ms] = m.slice(1, 8).map(Number);
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(local);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw bad;
  const zone = m[8];
  if (zone === undefined || zone === 'Z') return local;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0);
  return local - sign * offsetMinutes * 60_000;
}

/** Java's Duration.parse ('PnDTnHnMn.nS', signs allowed), in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^([-+]?)P(?:([-+]?\d+)D)?(?:T(?:([-+]?\d+)H)?(?:([-+]?\d+)M)?(?:([-+]?\d+)(?:[.,](\d{0,9}))?S)?)?$/i.exec(text);
  if (!m || (m[2] === undefined && m[3] === undefined && m[4] === undefined && m[5] === undefined) || /T$/i.test(text)) {
    throw new UsageError(`--by-duration takes an ISO-8601 duration 'PnDTnHnMnS' (e.g. P1DT2H or PT30M), got '${text}'`);
  }
  const n = (s: string | undefined): number => (s === undefined ? 0 : Number(s));
  const fraction = m[6] === undefined || m[6] === '' ? 0 : Math.floor(Number(`0.${m[6]}`) * 1000) * (m[5]?.startsWith('-') ? -1 : 1);
  const ms = n(m[2]) * 86_400_000 + n(m[3]) * 3_600_000 + n(m[4]) * 60_000 + n(m[5]) * 1000 + fraction;
  return m[1] === '-' ? -ms : ms;
}

/** Java's String.format("%-Ns", value). */
function left(value: string | number, width: number): string {
  return String(value).padEnd(width);
}

// ---- --list -------------------------------------------------------------------------------------

function listAction(argv: GroupsOptions, _context: CommandContext, format: OutputFormat): (client: KafkaClient) => Promise<void> {
  const states = argv.state === undefined ? [] : parseNames(argv.state, STATES, 'state');
  const types = argv.type === undefined ? [] : parseNames(argv.type, TYPES, 'type');
  return async (client) => {
    const groups = await listGroups(client, states, types);
    if (format === 'json') {
      printJson(groups.map((g) => ({ group: g.groupId, type: g.type, state: g.state })));
      return;
    }
    if (format === 'table') {
      const rows = groups.map((g) => [g.groupId, g.type ?? MISSING, g.state ?? MISSING]);
      for (const line of formatTable(['GROUP', 'TYPE', 'STATE'], rows)) printLine(line);
      return;
    }
    const withType = argv.type !== undefined;
    const withState = argv.state !== undefined;
    if (!withType && !withState) {
      for (const g of groups) printLine(g.groupId);
      return;
    }
    // Kafka's printGroupInfo: the id column is the longest id (at least 15) plus 10 wide.
    const idWidth = Math.max(15, ...groups.map((g) => g.groupId.length)) + 10;
    const line = (id: string, type: string, state: string): string =>
      left(id, idWidth) + (withType ? ` ${left(type, 20)}` : '') + (withState ? ` ${left(state, 20)}` : '');
    printLine(line('GROUP', 'TYPE', 'STATE'));
    for (const g of groups) printLine(line(g.groupId, g.type ?? 'Unknown', g.state ?? 'Unknown'));
  };
}

// ---- --describe ---------------------------------------------------------------------------------

/** One row of the offsets view: Kafka's PartitionAssignmentState. */
interface PartitionRow {
  group: string;
  topic: string | null;
  partition: number | null;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

type DescribeMode = 'offsets' | 'members' | 'state';

function describeAction(argv: GroupsOptions, context: CommandContext, format: OutputFormat): (client: KafkaClient) => Promise<void> {
  const scope = groupScope(argv, 'describe');
  const modes: DescribeMode[] = [];
  if (argv.members) modes.push('members');
  if (argv.state !== undefined) {
    if (argv.state !== '') throw new UsageError('with --describe, --state takes no value');
    modes.push('state');
  }
  if (argv.offsets) modes.push('offsets');
  if (modes.length > 1) throw new UsageError('--describe takes at most one of --members, --offsets, --state');
  if (argv.verbose && !argv.members) throw new UsageError('--verbose goes with --describe --members');
  const mode = modes[0] ?? 'offsets';
  return async (client) => {
    const groupIds = await resolveGroups(client, scope);
    const described = await Promise.all(groupIds.map((id) => describeGroup(client, id)));
    described.sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
    const missing = described.filter((d) => d.state === 'Dead').map((d) => d.groupId);
    const live = described.filter((d) => d.state !== 'Dead');
    if (mode === 'offsets') printOffsets(await Promise.all(live.map(async (d) => ({ d, rows: await offsetRows(client, d) }))), context, format);
    else if (mode === 'members') printMembers(live, argv.verbose, context, format);
    else printStates(await Promise.all(live.map(async (d) => ({ d, coordinator: await client.groupCoordinator(d.groupId) }))), context, format);
    if (missing.length === 1) throw new Error(`Consumer group '${missing[0]}' does not exist.`);
    if (missing.length > 1) throw new Error(`Consumer groups ${missing.map((g) => `'${g}'`).join(', ')} do not exist.`);
  };
}

/** Kafka's collectGroupOffsets: the assigned partitions member by member (largest assignment first), then committed partitions nobody is assigned. */
async function offsetRows(client: KafkaClient, group: GroupDescription): Promise<PartitionRow[]> {
  const committed = await committedOffsets(client, group.groupId);
  const members = group.members.filter((m) => m.assignment.length > 0).sort((a, b) => b.assignment.length - a.assignment.length);
  const assigned = new Set(members.flatMap((m) => m.assignment.map(tpKey)));
  const unassigned = [...committed.values()].map((c) => c.tp).filter((tp) => !assigned.has(tpKey(tp))).sort(compareTopicPartitions);
  const partitions = [...members.flatMap((m) => m.assignment), ...unassigned];
  const logEnd = await listOffsets(client, partitions, LATEST);
  const row = (tp: TopicPartition, member: { memberId: string; host: string; clientId: string } | null): PartitionRow => {
    const currentOffset = committed.get(tpKey(tp))?.offset ?? null;
    const logEndOffset = logEnd.get(tpKey(tp)) ?? null;
    return {
      group: group.groupId,
      topic: tp.topic,
      partition: tp.partition,
      currentOffset,
      logEndOffset,
      lag: currentOffset !== null && logEndOffset !== null ? logEndOffset - currentOffset : null,
      consumerId: member?.memberId ?? null,
      host: member?.host ?? null,
      clientId: member?.clientId ?? null,
    };
  };
  return [...members.flatMap((m) => m.assignment.map((tp) => row(tp, m))), ...unassigned.map((tp) => row(tp, null))];
}

/** Kafka's shouldPrintMemberState: the notes about an empty or rebalancing group (on stderr), and whether there is anything to print. */
function stateNote(group: GroupDescription, rows: number, context: CommandContext, format: OutputFormat): boolean {
  const note =
    group.state === 'Empty' ? `Consumer group '${group.groupId}' has no active members.` : REBALANCING.has(group.state) ? `Warning: Consumer group '${group.groupId}' is rebalancing.` : null;
  if (note !== null) {
    if (format === 'kafka') process.stderr.write(`\n${note}\n`);
    else if (format === 'table') process.stderr.write(`${context.program}: ${note}\n`);
  }
  return rows > 0;
}

function text(value: string | number | null): string {
  return value === null ? MISSING : String(value);
}

function printOffsets(groups: readonly { d: GroupDescription; rows: PartitionRow[] }[], context: CommandContext, format: OutputFormat): void {
  if (format === 'json') {
    printJson(groups.map(({ d, rows }) => ({ group: d.groupId, state: d.state, partitions: rows.map(({ group: _group, ...rest }) => rest) })));
    return;
  }
  const headers = ['GROUP', 'TOPIC', 'PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'];
  const cells = (r: PartitionRow): string[] => [r.group, text(r.topic), text(r.partition), text(r.currentOffset), text(r.logEndOffset), text(r.lag), text(r.consumerId), text(r.host), text(r.clientId)];
  if (format === 'table') {
    const rows = groups.flatMap(({ d, rows: r }) => (stateNote(d, r.length, context, format) ? r : []));
    if (rows.length > 0) for (const line of formatTable(headers, rows.map(cells))) printLine(line);
    return;
  }
  for (const { d, rows } of groups) {
    if (!stateNote(d, rows.length, context, format)) continue;
    // Kafka's printOffsetFormat: group, topic, consumer id and host at least 15 wide.
    const w = (pick: (c: string[]) => string) => Math.max(15, ...rows.map((r) => pick(cells(r)).length));
    const widths = [w((c) => c[0]), w((c) => c[1]), 10, 15, 15, 15, w((c) => c[6]), w((c) => c[7])];
    const line = (c: readonly string[]): string => c.map((cell, i) => (i < widths.length ? left(cell, widths[i]) : cell)).join(' ');
    printLine('');
    printLine(line(headers));
    for (const r of rows) printLine(line(cells(r)));
  }
}

/** Kafka's verbose assignment: `topic(0,1), other(2)`, or '-'. */
function assignmentText(assignment: readonly TopicPartition[]): string {
  if (assignment.length === 0) return MISSING;
  const topics = new Map<string, number[]>();
  for (const tp of assignment) topics.set(tp.topic, [...(topics.get(tp.topic) ?? []), tp.partition]);
  return [...topics]
    .map(([topic, partitions]) => `${topic}(${partitions.sort((a, b) => a - b).join(',')})`)
    .sort()
    .join(', ');
}

function printMembers(groups: readonly GroupDescription[], verbose: boolean, context: CommandContext, format: OutputFormat): void {
  if (format === 'json') {
    printJson(
      groups.map((d) => ({
        group: d.groupId,
        state: d.state,
        members: d.members.map((m) => ({
          consumerId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          host: m.host,
          clientId: m.clientId,
          partitions: m.assignment.length,
          assignment: m.assignment,
        })),
      })),
    );
    return;
  }
  if (format === 'table') {
    const live = groups.filter((d) => stateNote(d, d.members.length, context, format));
    const withInstance = live.some((d) => d.members.some((m) => m.groupInstanceId !== null && m.groupInstanceId !== ''));
    const headers = ['GROUP', 'CONSUMER-ID', ...(withInstance ? ['GROUP-INSTANCE-ID'] : []), 'HOST', 'CLIENT-ID', '#PARTITIONS', ...(verbose ? ['ASSIGNMENT'] : [])];
    const rows = live.flatMap((d) =>
      d.members.map((m) => [
        d.groupId,
        m.memberId,
        ...(withInstance ? [m.groupInstanceId ?? ''] : []),
        m.host,
        m.clientId,
        String(m.assignment.length),
        ...(verbose ? [assignmentText(m.assignment)] : []),
      ]),
    );
    if (rows.length > 0) for (const line of formatTable(headers, rows)) printLine(line);
    return;
  }
  for (const d of groups) {
    if (!stateNote(d, d.members.length, context, format)) continue;
    // Kafka's printMembers: columns at least 15 wide (group instance id 17), #PARTITIONS 15, each followed by a space.
    const instance = (id: string | null): string => id ?? '';
    const withInstance = d.members.some((m) => instance(m.groupInstanceId) !== '');
    const wGroup = Math.max(15, d.groupId.length);
    const wId = Math.max(15, ...d.members.map((m) => m.memberId.length));
    const wInstance = Math.max(17, ...d.members.map((m) => instance(m.groupInstanceId).length));
    const wHost = Math.max(15, ...d.members.map((m) => m.host.length));
    const wClient = Math.max(15, ...d.members.map((m) => m.clientId.length));
    const line = (group: string, id: string, inst: string, host: string, client: string, count: string): string =>
      `${left(group, wGroup)} ${left(id, wId)} ${withInstance ? `${left(inst, wInstance)} ` : ''}${left(host, wHost)} ${left(client, wClient)} ${left(count, 15)} `;
    printLine('');
    printLine(line('GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS') + (verbose ? 'ASSIGNMENT' : ''));
    for (const m of d.members) {
      printLine(line(d.groupId, m.memberId, instance(m.groupInstanceId), m.host, m.clientId, String(m.assignment.length)) + (verbose ? assignmentText(m.assignment) : ''));
    }
  }
}

function printStates(groups: readonly { d: GroupDescription; coordinator: { nodeId: number; host: string; port: number } }[], context: CommandContext, format: OutputFormat): void {
  const coordinatorText = (c: { nodeId: number; host: string; port: number }): string => `${c.host}:${c.port}  (${c.nodeId})`;
  if (format === 'json') {
    printJson(
      groups.map(({ d, coordinator }) => ({
        group: d.groupId,
        coordinator: { id: coordinator.nodeId, host: coordinator.host, port: coordinator.port },
        assignmentStrategy: d.assignmentStrategy,
        state: d.state,
        members: d.members.length,
      })),
    );
    return;
  }
  const shown = groups.filter(({ d }) => stateNote(d, 1, context, format));
  if (format === 'table') {
    const rows = shown.map(({ d, coordinator }) => [d.groupId, coordinatorText(coordinator), d.assignmentStrategy, d.state, String(d.members.length)]);
    if (rows.length > 0) for (const line of formatTable(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'], rows)) printLine(line);
    return;
  }
  for (const { d, coordinator } of shown) {
    // Kafka's printStates sizes the first column by the coordinator text (at least 25).
    const coordinatorCell = coordinatorText(coordinator);
    const width = Math.max(25, coordinatorCell.length);
    const line = (group: string, c: string, strategy: string, state: string, members: string): string => `${left(group, width)} ${left(c, 25)} ${left(strategy, 20)} ${left(state, 15)} ${members}`;
    printLine('');
    printLine(line('GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'));
    printLine(line(d.groupId, coordinatorCell, d.assignmentStrategy, d.state, String(d.members.length)));
  }
}

// ---- --delete -----------------------------------------------------------------------------------

function deleteAction(argv: GroupsOptions, _context: CommandContext, format: OutputFormat): (client: KafkaClient) => Promise<void> {
  const scope = groupScope(argv, 'delete');
  return async (client) => {
    const groupIds = await resolveGroups(client, scope);
    const results = await deleteGroups(client, groupIds);
    const failures = [...results].filter(([, code]) => code !== ErrorCode.NONE).map(([group, code]) => new KafkaProtocolError(code, `Group '${group}' could not be deleted due to`).message);
    const deleted = [...results].filter(([, code]) => code === ErrorCode.NONE).map(([group]) => group);
    if (format === 'json') printJson([...results].map(([group, code]) => ({ group, deleted: code === ErrorCode.NONE })));
    else if (deleted.length > 0) printLine(`Deletion of requested consumer groups (${deleted.map((g) => `'${g}'`).join(', ')}) was successful.`);
    if (failures.length === 1) throw new Error(failures[0]);
    if (failures.length > 1) throw new Error(`Deletion of some consumer groups failed: ${failures.join('; ')}`);
  };
}

// ---- --delete-offsets ---------------------------------------------------------------------------

function deleteOffsetsAction(argv: GroupsOptions, _context: CommandContext, format: OutputFormat): (client: KafkaClient) => Promise<void> {
  const groups = unique(argv.group);
  if (groups.length !== 1 || argv['all-groups']) throw new UsageError('--delete-offsets takes exactly one --group');
  if (argv.topic.length === 0) throw new UsageError('--delete-offsets needs --topic');
  const groupId = groups[0];
  const { whole, partitions: named } = parseTopicArgs(argv.topic);
  return async (client) => {
    // Kafka's deleteOffsets: a topic without partitions means all of them; one that does not exist is reported, not sent.
    const found = await existingTopics(client, whole);
    const statuses = new Map<string, { tp: TopicPartition; error: string | null }>();
    for (const topic of whole) {
      if (!found.has(topic)) statuses.set(`${topic}--1`, { tp: { topic, partition: -1 }, error: new KafkaProtocolError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, topic).message });
    }
    const partitions = [...named, ...[...found].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })))];
    const targets = [...new Map(partitions.map((tp) => [tpKey(tp), tp])).values()].sort(compareTopicPartitions);
    const result = targets.length > 0 ? await deleteOffsets(client, groupId, targets) : { errorCode: ErrorCode.NONE, partitions: new Map<string, number>() };
    switch (result.errorCode) {
      case ErrorCode.NONE:
        break;
      case ErrorCode.GROUP_ID_NOT_FOUND:
        throw new Error(`Consumer group '${groupId}' does not exist.`);
      case ErrorCode.NON_EMPTY_GROUP:
        throw new Error(`Deleting offsets of a consumer group '${groupId}' is forbidden if the group is not empty.`);
      case ErrorCode.INVALID_GROUP_ID:
        throw new Error(`'${groupId}' is not valid.`);
      default:
        throw new KafkaProtocolError(result.errorCode, `deleting offsets of group ${groupId}`);
    }
    for (const tp of targets) {
      const code = result.partitions.get(tpKey(tp)) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      statuses.set(tpKey(tp), { tp, error: code === ErrorCode.NONE ? null : new KafkaProtocolError(code, `${tp.topic}-${tp.partition}`).message });
    }
    const sorted = [...statuses.values()].sort((a, b) => compareTopicPartitions(a.tp, b.tp));
    if (format === 'json') printJson({ group: groupId, partitions: sorted.map(({ tp, error }) => ({ topic: tp.topic, partition: tp.partition < 0 ? null : tp.partition, error })) });
    else if (format === 'table') {
      const rows = sorted.map(({ tp, error }) => [tp.topic, tp.partition < 0 ? MISSING : String(tp.partition), error === null ? 'Successful' : `Error: ${error}`]);
      for (const line of formatTable(['TOPIC', 'PARTITION', 'STATUS'], rows)) printLine(line);
    } else {
      const failed = sorted.some((s) => s.error !== null);
      if (!failed) printLine(`Request succeed for deleting offsets with topic ${argv.topic.join(', ')} group ${groupId}`);
      printLine('');
      const line = (topic: string, partition: string, status: string): string => `${left(topic, 30)} ${left(partition, 15)} ${left(status, 15)}`;
      printLine(line('TOPIC', 'PARTITION', 'STATUS'));
      for (const { tp, error } of sorted) printLine(line(tp.topic, tp.partition >= 0 ? String(tp.partition) : 'Not Provided', error === null ? 'Successful' : `Error: :${error}`));
    }
    const errors = sorted.filter((s) => s.error !== null);
    if (errors.length > 0) throw new Error(`Deleting offsets of consumer group '${groupId}' failed for ${errors.length === 1 ? '' : `${errors.length} partitions, first `}${errors[0].error}`);
  };
}

// ---- --reset-offsets ----------------------------------------------------------------------------

type ResetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: number }
  | { kind: 'shift'; by: number }
  | { kind: 'timestamp'; timestamp: number };

const KAFKA_DRY_RUN_WARNING =
  'WARN: No action will be performed as the --execute option is missing. In a future major release, the default behavior of this command will be to prompt the user before executing the reset rather than doing a dry run. You should add the --dry-run option explicitly if you are scripting this command and want to keep the current default behavior without prompting.';

function resetSpec(argv: GroupsOptions): ResetSpec {
  const specs: ResetSpec[] = [];
  if (argv['to-earliest']) specs.push({ kind: 'earliest' });
  if (argv['to-latest']) specs.push({ kind: 'latest' });
  if (argv['to-current']) specs.push({ kind: 'current' });
  if (argv['to-offset'] !== undefined) specs.push({ kind: 'offset', offset: parseInteger(argv['to-offset'], '--to-offset') });
  if (argv['shift-by'] !== undefined) specs.push({ kind: 'shift', by: parseInteger(argv['shift-by'], '--shift-by') });
  if (argv['to-datetime'] !== undefined) specs.push({ kind: 'timestamp', timestamp: parseDateTime(argv['to-datetime']) });
  if (argv['by-duration'] !== undefined) specs.push({ kind: 'timestamp', timestamp: systemClock.now() - parseDuration(argv['by-duration']) });
  if (specs.length !== 1) throw new UsageError('--reset-offsets takes exactly one of --to-earliest, --to-latest, --to-current, --to-offset, --to-datetime, --shift-by, --by-duration');
  return specs[0];
}

interface NewOffset extends TopicPartition {
  group: string;
  offset: number;
}

function resetOffsetsAction(argv: GroupsOptions, context: CommandContext, format: OutputFormat): (client: KafkaClient) => Promise<void> {
  const scope = groupScope(argv, 'reset-offsets');
  if (argv['all-topics'] === (argv.topic.length > 0)) throw new UsageError('--reset-offsets takes one of --topic and --all-topics');
  const topics = parseTopicArgs(argv.topic);
  const spec = resetSpec(argv);
  if (argv['dry-run'] && argv.execute) throw new UsageError('--reset-offsets takes one of --dry-run and --execute');
  const execute = argv.execute;
  const warn = warnLine(context);
  return async (client) => {
    if (!execute && !argv['dry-run']) {
      if (format === 'kafka') process.stderr.write(`${KAFKA_DRY_RUN_WARNING}\n`);
      else if (format === 'table') warn('a dry run (the default): nothing is committed; add --execute to commit these offsets');
    }
    const groupIds = await resolveGroups(client, scope);
    const results: NewOffset[] = [];
    const refused: string[] = [];
    for (const groupId of [...groupIds].sort()) {
      const group = await describeGroup(client, groupId);
      if (group.state !== 'Empty' && group.state !== 'Dead') {
        refused.push(`Assignments can only be reset if the group '${groupId}' is inactive, but the current state is ${group.state}.`);
        continue;
      }
      const committed = await committedOffsets(client, groupId);
      const partitions = argv['all-topics'] ? [...committed.values()].map((c) => c.tp) : await explicitPartitions(client, topics);
      const offsets = await newOffsets(client, partitions.sort(compareTopicPartitions), spec, committed, warn);
      if (execute && offsets.length > 0) await commitOffsets(client, groupId, offsets);
      results.push(...offsets.map((o) => ({ group: groupId, ...o })));
    }
    if (format === 'json') printJson({ executed: execute, offsets: results.map((r) => ({ group: r.group, topic: r.topic, partition: r.partition, newOffset: r.offset })) });
    else if (format === 'table') {
      if (results.length > 0) for (const line of formatTable(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], results.map((r) => [r.group, r.topic, String(r.partition), String(r.offset)]))) printLine(line);
    } else if (results.length > 0) {
      const line = (group: string, topic: string, partition: string, offset: string): string => `${left(group, 30)} ${left(topic, 30)} ${left(partition, 10)} ${left(offset, 15)}`;
      printLine('');
      printLine(line('GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'));
      for (const r of results) printLine(line(r.group, r.topic, String(r.partition), String(r.offset)));
    }
    if (refused.length > 0) throw new Error(refused.join(' '));
  };
}

/** --topic t (every partition) and t:0,1 (those, which must exist). */
async function explicitPartitions(client: KafkaClient, topics: { whole: string[]; partitions: TopicPartition[] }): Promise<TopicPartition[]> {
  const named = [...new Set(topics.partitions.map((tp) => tp.topic))];
  const found = await existingTopics(client, named);
  for (const tp of topics.partitions) {
    const partitions = found.get(tp.topic);
    if (partitions === undefined) throw new Error(`Topic '${tp.topic}' does not exist`);
    if (!partitions.includes(tp.partition)) throw new Error(`Topic '${tp.topic}' has no partition ${tp.partition}`);
  }
  const all = [...topics.partitions, ...(await topicPartitions(client, topics.whole))];
  return [...new Map(all.map((tp) => [tpKey(tp), tp])).values()];
}

/** Kafka's prepareOffsetsToReset, with checkOffsetsRange keeping requested offsets between the earliest and the latest. */
async function newOffsets(
  client: KafkaClient,
  partitions: readonly TopicPartition[],
  spec: ResetSpec,
  committed: Map<string, { tp: TopicPartition; offset: number }>,
  warn: (line: string) => void,
): Promise<(TopicPartition & { offset: number })[]> {
  const known = (offsets: Map<string, number | null>, tp: TopicPartition, what: string): number => {
    const offset = offsets.get(tpKey(tp));
    if (offset === null || offset === undefined) throw new Error(`Error getting ${what} offset of topic partition: ${tp.topic}-${tp.partition}`);
    return offset;
  };
  const latestOf = () => listOffsets(client, partitions, LATEST);
  const inRange = async (requested: Map<string, number>) => {
    const [earliest, latest] = await Promise.all([listOffsets(client, partitions, EARLIEST), latestOf()]);
    return partitions.map((tp) => {
      const offset = requested.get(tpKey(tp)) ?? 0;
      const end = known(latest, tp, 'ending');
      const start = known(earliest, tp, 'beginning');
      const name = `${tp.topic}-${tp.partition}`;
      if (offset > end) {
        warn(`New offset (${offset}) is higher than latest offset for topic partition ${name}. Value will be set to ${end}`);
        return { ...tp, offset: end };
      }
      if (offset < start) {
        warn(`New offset (${offset}) is lower than earliest offset for topic partition ${name}. Value will be set to ${start}`);
        return { ...tp, offset: start };
      }
      return { ...tp, offset };
    });
  };
  switch (spec.kind) {
    case 'earliest': {
      const earliest = await listOffsets(client, partitions, EARLIEST);
      return partitions.map((tp) => ({ ...tp, offset: known(earliest, tp, 'beginning') }));
    }
    case 'latest': {
      const latest = await latestOf();
      return partitions.map((tp) => ({ ...tp, offset: known(latest, tp, 'ending') }));
    }
    case 'current': {
      const latest = await latestOf();
      return partitions.map((tp) => ({ ...tp, offset: committed.get(tpKey(tp))?.offset ?? known(latest, tp, 'ending') }));
    }
    case 'offset':
      return inRange(new Map(partitions.map((tp) => [tpKey(tp), spec.offset])));
    case 'shift':
      return inRange(
        new Map(
          partitions.map((tp) => {
            const current = committed.get(tpKey(tp));
            if (current === undefined) throw new Error(`Cannot shift offset for partition ${tp.topic}-${tp.partition} since there is no current committed offset`);
            return [tpKey(tp), current.offset + spec.by];
          }),
        ),
      );
    case 'timestamp': {
      const [atTime, latest] = await Promise.all([listOffsets(client, partitions, spec.timestamp), latestOf()]);
      return partitions.map((tp) => ({ ...tp, offset: atTime.get(tpKey(tp)) ?? known(latest, tp, 'ending') }));
    }
  }
}
