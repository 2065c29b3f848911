/**
 * Plain data as block-style YAML, the way people write Kubernetes resources
 * (`key: value`, `- item`, strings unquoted where YAML reads them back as the
 * same string), so the whole-path benchmark reads what users' files look
 * like rather than JSON documents. Deterministic; no library, no options.
 */
export function blockYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]\n';
    return value.map((item) => `${indent}-${nested(item, `${indent}  `, true)}`).join('');
  }
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) return '{}\n';
    return keys.map((k) => `${indent}${scalar(k)}:${nested(value[k], `${indent}  `, false)}`).join('');
  }
  return `${scalar(value)}\n`;
}

/** What follows 'key:' or '-': a scalar on the same line, a collection on the next lines. */
function nested(value: unknown, indent: string, inList: boolean): string {
  const empty =
    (Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0);
  if (empty || !(Array.isArray(value) || isRecord(value))) return ` ${blockYaml(value)}`;
  // A list item's mapping starts on the dash's line: '- name: x'.
  if (inList && isRecord(value)) return ` ${blockYaml(value, indent).slice(indent.length)}`;
  return `\n${blockYaml(value, indent)}`;
}

const plain = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
const special = /^(?:true|false|null|True|False|Null|TRUE|FALSE|NULL)$/;

function scalar(value: unknown): string {
  if (typeof value === 'string')
    return plain.test(value) && !special.test(value) ? value : JSON.stringify(value);
  if (value === null) return 'null';
  return String(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
