/**
 * Checks on parsed values, Kafka's ConfigDef validators in spirit (Range, ValidString, ValidList),
 * each carrying the words that tell a user what it accepts.
 */
export interface Validator<V> {
  /** Completes "expected ..." given the type's noun: atLeast(1) gives "an int >= 1" for "an int". */
  expected(noun: string): string;
  /** Why the value is refused, or undefined when it is accepted. */
  problem(value: V): string | undefined;
}

export function atLeast(min: number): Validator<number> {
  return {
    expected: (noun) => `${noun} >= ${min}`,
    problem: (value) => (value >= min ? undefined : 'out of range'),
  };
}

export function between(min: number, max: number): Validator<number> {
  return {
    expected: (noun) => `${noun} between ${min} and ${max}`,
    problem: (value) => (value >= min && value <= max ? undefined : 'out of range'),
  };
}

/** A string from a fixed set; case matters, as in Kafka's ValidString. */
export function oneOf<const T extends string>(values: readonly T[]): Validator<T> {
  return {
    expected: () => `one of ${values.join(', ')}`,
    problem: (value) => (values.includes(value) ? undefined : 'not allowed'),
  };
}

export interface ListOptions {
  readonly nonEmpty?: boolean;
  readonly distinct?: boolean;
}

/** A list whose items come from a fixed set (Kafka's ValidList.in), optionally non-empty and without repeats. */
export function listOf<const T extends string>(values: readonly T[], options: ListOptions = {}): Validator<readonly T[]> {
  return {
    expected: () => `a comma-separated list of ${values.join(', ')}${listConditions(options)}`,
    problem: (items) => {
      const bad = items.find((item) => !values.includes(item));
      if (bad !== undefined) return `'${bad}' is not allowed`;
      return listShapeProblem(items, options);
    },
  };
}

/** A list of free-form items with only a shape check, such as log.dirs. */
export function nonEmptyList(): Validator<readonly string[]> {
  return {
    expected: (noun) => `${noun} with at least one entry`,
    problem: (items) => listShapeProblem(items, { nonEmpty: true }),
  };
}

/**
 * A list whose items each parse with `parseItem` (which returns why an item is malformed, or
 * undefined), for addresses such as listeners and quorum voters.
 */
export function listOfFormat(
  format: string,
  parseItem: (item: string) => string | undefined,
  options: ListOptions = {},
): Validator<readonly string[]> {
  return {
    expected: () => `a comma-separated list of ${format}${listConditions(options)}`,
    problem: (items) => {
      for (const item of items) {
        const problem = parseItem(item);
        if (problem !== undefined) return `'${item}' ${problem}`;
      }
      return listShapeProblem(items, options);
    },
  };
}

function listConditions(options: ListOptions): string {
  const conditions = [options.nonEmpty ? 'at least one' : '', options.distinct ? 'no repeats' : ''].filter(Boolean);
  return conditions.length === 0 ? '' : ` (${conditions.join(', ')})`;
}

function listShapeProblem(items: readonly string[], options: ListOptions): string | undefined {
  if (options.nonEmpty && items.length === 0) return 'empty';
  if (options.distinct) {
    const repeated = items.find((item, i) => items.indexOf(item) !== i);
    if (repeated !== undefined) return `'${repeated}' is repeated`;
  }
  return undefined;
}
