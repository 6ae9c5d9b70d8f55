import { ConfigResourceType } from '../../protocol/config-resource-type.js';
import { ErrorCode } from '../../protocol/generated/error-codes.js';
import { createConfigRecord } from '../../protocol/generated/metadata/config-record.js';
import { MetadataRecordType, type MetadataRecord } from '../../protocol/generated/records.js';
import type { KafkaError } from '../../util/kafka-error.js';
import { configResourceKey, type MetadataImage } from '../image.js';
import { type ApiError, NO_ERROR, apiError, thrownApiError } from './api-error.js';
import { type ControllerResult, metadataRecord } from './records.js';
import { invalidTopicNameMessage } from './topic-names.js';

/**
 * A resource's complete set of config overrides after a change, or why the change is refused.
 * This is the shape of src/config's AlterResult, so the composition root can hand its
 * alterTopicConfigs / incrementalAlterBrokerConfigs results straight through.
 */
export type ConfigOverrides =
  | { readonly ok: true; readonly configs: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: KafkaError };

export interface ConfigResource {
  /** A ConfigResourceType code. */
  readonly type: number;
  /** A topic name; for BROKER, a broker id, or the empty string for the cluster-wide defaults. */
  readonly name: string;
}

/** The port that validates a change: given the current overrides, the new complete set or an error. */
export type NewOverrides = (current: Readonly<Record<string, string>>) => ConfigOverrides;

const RESOURCE_TYPE_NAMES = new Map<number, string>(Object.entries(ConfigResourceType).map(([name, code]) => [code, name]));
const INT32_TEXT = /^[+-]?[0-9]+$/;

/**
 * An AlterConfigs or IncrementalAlterConfigs change of one TOPIC or BROKER resource, in Kafka's
 * order: the resource name, then the configs (through `newOverrides`), then that the resource
 * exists. The records are ConfigRecords for the overrides that changed and null-valued ones for
 * those removed; a broker resource rewrites every override it keeps, as Kafka does (KAFKA-14136),
 * so that setting a value again (a keystore path whose file changed) reaches the brokers.
 * `controllerIds` are nodes whose BROKER resource may hold configs without a broker registration.
 * Other resource types answer INVALID_REQUEST; BROKER_LOGGER never reaches the controller.
 */
export function changeConfigs(
  image: MetadataImage,
  resource: ConfigResource,
  newOverrides: NewOverrides,
  controllerIds: ReadonlySet<number> = new Set(),
): ControllerResult<ApiError> {
  const nameError = resourceNameError(resource);
  if (nameError !== null) return { response: nameError, records: [] };
  const current = image.configs.get(configResourceKey(resource.type, resource.name)) ?? new Map<string, string>();
  const next = newOverrides(Object.fromEntries(current));
  if (!next.ok) return { response: thrownApiError(next.error.errorCode, next.error.message), records: [] };
  const missing = missingResourceError(image, resource, controllerIds);
  if (missing !== null) return { response: missing, records: [] };

  const rewriteAll = resource.type === ConfigResourceType.BROKER;
  const records: MetadataRecord[] = [];
  for (const [name, value] of Object.entries(next.configs)) {
    if (rewriteAll || current.get(name) !== value) records.push(configRecord(resource, name, value));
  }
  for (const name of current.keys()) {
    if (!Object.hasOwn(next.configs, name)) records.push(configRecord(resource, name, null));
  }
  return { response: NO_ERROR, records };
}

/** The ConfigRecord setting (or, with null, removing) one override. */
export function configRecord(resource: ConfigResource, name: string, value: string | null): MetadataRecord {
  return metadataRecord(
    MetadataRecordType.ConfigRecord,
    createConfigRecord({ resourceType: resource.type, resourceName: resource.name, name, value }),
  );
}

/** Kafka's ControllerConfigurationValidator.validate(resource). */
function resourceNameError({ type, name }: ConfigResource): ApiError | null {
  if (type === ConfigResourceType.TOPIC) {
    if (name === '') return apiError(ErrorCode.INVALID_REQUEST, 'Default topic resources are not allowed.');
    const invalid = invalidTopicNameMessage(name);
    return invalid === null ? null : apiError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
  }
  if (type === ConfigResourceType.BROKER) {
    if (name === '') return null;
    const id = INT32_TEXT.test(name) ? Number(name) : NaN;
    if (!(id >= -(2 ** 31) && id < 2 ** 31)) return apiError(ErrorCode.INVALID_REQUEST, 'Unable to parse broker name as a base 10 number.');
    return id < 0 ? apiError(ErrorCode.INVALID_REQUEST, 'Invalid negative broker ID.') : null;
  }
  return apiError(ErrorCode.INVALID_REQUEST, `Unknown resource type ${RESOURCE_TYPE_NAMES.get(type) ?? type}`);
}

/** Kafka's ConfigResourceExistenceChecker. */
function missingResourceError(image: MetadataImage, { type, name }: ConfigResource, controllerIds: ReadonlySet<number>): ApiError | null {
  if (type === ConfigResourceType.TOPIC) {
    if (image.topicsByName.has(name)) return null;
    return thrownApiError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `The topic '${name}' does not exist.`);
  }
  if (name === '') return null;
  const id = Number(name);
  if (image.brokers.has(id) || controllerIds.has(id)) return null;
  return thrownApiError(ErrorCode.BROKER_ID_NOT_REGISTERED, `No node with id ${id} found.`);
}
