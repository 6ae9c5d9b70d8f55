import type { PartitionAssignor } from './assignor.js';
import { rangeAssignor } from './range.js';
import { uniformAssignor } from './uniform.js';

/** The server-side assignors group.consumer.assignors may name. */
export const ASSIGNORS: ReadonlyMap<string, PartitionAssignor> = new Map([uniformAssignor, rangeAssignor].map((assignor) => [assignor.name, assignor]));
