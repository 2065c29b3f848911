import { domainToASCII } from 'node:url';

/**
 * For a hostname glob with non-ASCII characters (an internationalised
 * domain name such as `bücher.example`), the ASCII form clients put in the
 * Host header and SNI — punycode, `xn--bcher-kva.example` — which is what
 * Envoy compares. Undefined for an ASCII name; `punycode` is undefined when
 * the name is not a valid IDN at all. A port and `*` labels are kept.
 */
export function asciiHostname(glob: string): { punycode?: string } | undefined {
  if (asciiOnly.test(glob)) return undefined;
  const port = /:\d+$/.exec(glob)?.[0] ?? '';
  const name = glob.slice(0, glob.length - port.length);
  const labels = name.split('.');
  const converted: string[] = [];
  for (const label of labels) {
    if (label === '*' || label === '') {
      converted.push(label);
      continue;
    }
    // A prefix or suffix glob's star sits inside a label ('shop*'): convert around it.
    const star = label.startsWith('*') ? 'start' : label.endsWith('*') ? 'end' : undefined;
    const bare = star === 'start' ? label.slice(1) : star === 'end' ? label.slice(0, -1) : label;
    const ascii = domainToASCII(bare);
    if (ascii === '') return {};
    converted.push(star === 'start' ? `*${ascii}` : star === 'end' ? `${ascii}*` : ascii);
  }
  return { punycode: `${converted.join('.')}${port}` };
}

/** Made once: a regex literal inside a function is a new RegExp object per call (one per Mapping). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
const asciiOnly = /^[\u0000-\u007f]*$/;

/** The HTTP_HOSTNAME_NOT_ASCII message for a field holding `glob`, or undefined when it is ASCII. */
export function nonAsciiHostnameMessage(field: string, glob: string): string | undefined {
  const ascii = asciiHostname(glob);
  if (!ascii) return undefined;
  return ascii.punycode
    ? `${field} '${glob}' is not ASCII: browsers and HTTP clients send the punycode form in the Host header and SNI, so their requests never match it; write ${JSON.stringify(ascii.punycode)}`
    : `${field} '${glob}' is not ASCII and not a valid internationalised domain name, so it never matches a request; write the name in ASCII (punycode)`;
}
