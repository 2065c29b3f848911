/**
 * getambassador.io/v2 → v3alpha1, the way Kubernetes' conversion webhook does
 * it for Emissary, limited to the shapes whose meaning differs. Returns a new
 * spec; the input is never mutated.
 */
export function convertV2Spec(kind: string, spec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...spec };
  if (kind === 'Mapping') {
    // v2 without host matched every host; v3alpha1 without hostname matches none.
    if (out.hostname === undefined && out.host === undefined) out.hostname = '*';
    // v2 tls: true originates TLS without a TLSContext: the https:// scheme says the same in v3alpha1.
    if (out.tls === true) {
      delete out.tls;
      if (typeof out.service === 'string' && !/^[a-z]+:\/\//i.test(out.service))
        out.service = `https://${out.service}`;
    } else if (out.tls === false) {
      delete out.tls;
    }
    // v2 headers: {name: true} is a presence match; v3alpha1 spells it as a regex.
    const headers = out.headers;
    if (headers && typeof headers === 'object' && !Array.isArray(headers)) {
      const exact: Record<string, unknown> = {};
      const regex: Record<string, unknown> = { ...((out.regex_headers as Record<string, unknown>) ?? {}) };
      for (const [name, value] of Object.entries(headers)) {
        if (value === true) regex[name] = '.*';
        else exact[name] = value;
      }
      out.headers = exact;
      if (Object.keys(regex).length > 0) out.regex_headers = regex;
    }
  }
  if (kind === 'Host') {
    if (out.mappingSelector === undefined && out.selector !== undefined) out.mappingSelector = out.selector;
  }
  return out;
}
