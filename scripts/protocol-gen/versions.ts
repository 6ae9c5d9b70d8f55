/** A closed range of versions; `max` is Infinity for "N+" and the range is empty when min > max. */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

export const NO_VERSIONS: VersionRange = { min: 0, max: -1 };

export function parseVersions(spec: string | undefined): VersionRange {
  if (spec === undefined || spec === 'none') return NO_VERSIONS;
  const plus = /^(\d+)\+$/.exec(spec);
  if (plus) return { min: Number(plus[1]), max: Infinity };
  const span = /^(\d+)-(\d+)$/.exec(spec);
  if (span) return { min: Number(span[1]), max: Number(span[2]) };
  if (/^\d+$/.test(spec)) return { min: Number(spec), max: Number(spec) };
  throw new Error(`unparseable version range "${spec}"`);
}

export function isEmpty(r: VersionRange): boolean {
  return r.min > r.max;
}

export function intersect(a: VersionRange, b: VersionRange): VersionRange {
  return { min: Math.max(a.min, b.min), max: Math.min(a.max, b.max) };
}

export function contains(outer: VersionRange, inner: VersionRange): boolean {
  return isEmpty(inner) || (outer.min <= inner.min && outer.max >= inner.max);
}

export function includes(r: VersionRange, version: number): boolean {
  return version >= r.min && version <= r.max;
}

/**
 * The TypeScript condition under which `range` holds, given that `version` is already known to
 * lie in `context`: "true" and "false" when the answer does not depend on the version.
 */
export function versionCondition(range: VersionRange, context: VersionRange): string {
  const within = intersect(range, context);
  if (isEmpty(within)) return 'false';
  const checks: string[] = [];
  if (within.min > context.min) checks.push(`version >= ${within.min}`);
  if (within.max < context.max) checks.push(`version <= ${within.max}`);
  return checks.length === 0 ? 'true' : checks.join(' && ');
}
