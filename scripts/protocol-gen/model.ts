import type { FieldSpec, MessageSpec, StructSpec } from './spec.js';
import { type VersionRange, NO_VERSIONS, intersect, isEmpty, parseVersions } from './versions.js';

export const PRIMITIVES = [
  'int8',
  'int16',
  'int32',
  'int64',
  'uint16',
  'float64',
  'bool',
  'string',
  'bytes',
  'records',
  'uuid',
] as const;
export type PrimitiveKind = (typeof PRIMITIVES)[number];

export type FieldType =
  | { kind: 'primitive'; name: PrimitiveKind }
  | { kind: 'array'; element: FieldType }
  | { kind: 'struct'; struct: StructModel };

export interface FieldModel {
  kafkaName: string;
  prop: string;
  type: FieldType;
  versions: VersionRange;
  nullable: VersionRange;
  tagged: VersionRange;
  tag: number | undefined;
  ignorable: boolean;
  /** Versions in which strings/bytes/arrays use compact encodings; a field may opt out. */
  flexible: VersionRange;
  /** Null when the spec declares `"default": "null"`. */
  defaultIsNull: boolean;
  defaultValue: string | number | boolean | undefined;
  about: string | undefined;
}

export interface StructModel {
  typeName: string;
  fields: FieldModel[];
  /** Versions of the message in which this struct can appear. */
  reachable: VersionRange;
}

export interface MessageModel {
  spec: MessageSpec;
  valid: VersionRange;
  flexible: VersionRange;
  root: StructModel;
  /** Every struct of the message, nested ones after their parents. */
  structs: StructModel[];
}

export function camelCase(kafkaName: string): string {
  return kafkaName[0].toLowerCase() + kafkaName.slice(1);
}

function parseDefault(value: FieldSpec['default']): { isNull: boolean; value: string | number | boolean | undefined } {
  if (value === null || value === 'null') return { isNull: true, value: undefined };
  return { isNull: false, value: value ?? undefined };
}

class MessageResolver {
  readonly structs: StructModel[] = [];
  private readonly byName = new Map<string, StructModel>();
  private readonly common = new Map<string, StructSpec>();

  constructor(
    private readonly spec: MessageSpec,
    private readonly valid: VersionRange,
    private readonly flexible: VersionRange,
  ) {
    for (const s of spec.commonStructs ?? []) this.common.set(s.name, s);
  }

  resolveRoot(): StructModel {
    return this.resolveStruct(this.spec.name, this.spec.fields, this.valid, this.spec.name);
  }

  /** Structs are named after their message, unless Kafka already did (MetadataResponseTopic). */
  private structTypeName(structName: string): string {
    return structName.startsWith(this.spec.name) ? structName : `${this.spec.name}${structName}`;
  }

  private resolveStruct(structName: string, fields: FieldSpec[], reachable: VersionRange, typeName = this.structTypeName(structName)): StructModel {
    if (this.byName.has(structName)) throw new Error(`${this.spec.source}: struct ${structName} defined twice`);
    const struct: StructModel = { typeName, fields: [], reachable };
    this.byName.set(structName, struct);
    this.structs.push(struct);
    struct.fields = fields.map((f) => this.resolveField(f, reachable));
    return struct;
  }

  private lookupStruct(structName: string, field: FieldSpec, reachable: VersionRange): StructModel {
    if (field.fields) return this.resolveStruct(structName, field.fields, intersect(reachable, parseVersions(field.versions)));
    const known = this.byName.get(structName);
    if (known) return known;
    const common = this.common.get(structName);
    if (!common) throw new Error(`${this.spec.source}: unknown type ${structName} of field ${field.name}`);
    return this.resolveStruct(structName, common.fields, this.valid);
  }

  private resolveType(type: string, field: FieldSpec, reachable: VersionRange): FieldType {
    if (type.startsWith('[]')) return { kind: 'array', element: this.resolveType(type.slice(2), field, reachable) };
    if ((PRIMITIVES as readonly string[]).includes(type)) return { kind: 'primitive', name: type as PrimitiveKind };
    return { kind: 'struct', struct: this.lookupStruct(type, field, reachable) };
  }

  private resolveField(f: FieldSpec, reachable: VersionRange): FieldModel {
    const versions = parseVersions(f.versions);
    const def = parseDefault(f.default);
    const tagged = f.taggedVersions === undefined ? NO_VERSIONS : parseVersions(f.taggedVersions);
    if (!isEmpty(tagged) && f.tag === undefined) throw new Error(`${this.spec.source}: ${f.name} has taggedVersions but no tag`);
    return {
      kafkaName: f.name,
      prop: camelCase(f.name),
      type: this.resolveType(f.type, f, reachable),
      versions,
      nullable: parseVersions(f.nullableVersions),
      tagged,
      tag: f.tag,
      ignorable: f.ignorable === true || !isEmpty(tagged),
      flexible: f.flexibleVersions === undefined ? this.flexible : parseVersions(f.flexibleVersions),
      defaultIsNull: def.isNull,
      defaultValue: def.value,
      about: f.about,
    };
  }
}

export function resolveMessage(spec: MessageSpec): MessageModel {
  const valid = parseVersions(spec.validVersions);
  const flexible = intersect(parseVersions(spec.flexibleVersions), valid);
  const resolver = new MessageResolver(spec, valid, flexible);
  const root = resolver.resolveRoot();
  return { spec, valid, flexible, root, structs: resolver.structs };
}
