/**
 * The `yaml` library's YAML 1.2 core schema (yaml/dist/schema/core) for plain
 * scalars, tried in its order: null, bool, int, float, else the string itself.
 * Both fast readers (fast-parse.ts through js-yaml's types, block-reader.ts
 * directly) resolve plain scalars with these, so every scalar means what the
 * exact parser makes of it.
 */

export const isNullScalar = (data: string): boolean => data.length <= 4 && /^(?:~|[Nn]ull|NULL)?$/.test(data);

export const isBoolScalar = (data: string): boolean =>
  data.length <= 5 && /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(data);

export const boolValue = (data: string): boolean => data[0] === 't' || data[0] === 'T';

export const isIntScalar = (data: string): boolean =>
  numberStart(data) && /^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+)$/.test(data);

export const intValue = (data: string): number =>
  data.startsWith('0o')
    ? Number.parseInt(data.substring(2), 8)
    : data.startsWith('0x')
      ? Number.parseInt(data.substring(2), 16)
      : Number.parseInt(data, 10);

export const isFloatScalar = (data: string): boolean =>
  numberStart(data) &&
  (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(data) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(data) ||
    /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(data));

export const floatValue = (data: string): number =>
  /[Nn][Aa][Nn]$/.test(data)
    ? Number.NaN
    : /[Ii][Nn][Ff]$/.test(data)
      ? data[0] === '-'
        ? Number.NEGATIVE_INFINITY
        : Number.POSITIVE_INFINITY
      : Number.parseFloat(data);

/** Whether a plain scalar may be a number (a digit, a sign or a dot first): most keys and values are not. */
function numberStart(data: string): boolean {
  const c = data.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e;
}

/** A plain scalar's value under the core schema. */
export function plainScalarValue(data: string): unknown {
  if (isNullScalar(data)) return null;
  if (isBoolScalar(data)) return boolValue(data);
  if (isIntScalar(data)) return intValue(data);
  if (isFloatScalar(data)) return floatValue(data);
  return data;
}
