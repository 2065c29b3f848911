import { messageDesc } from '@attache/envoy';
import { describe, expect, it } from 'vitest';
import { envoyStatusNames, localRateLimitPerRoute, parseLocalRateLimit } from './local.js';

describe('local_rate_limit', () => {
  it('defaults: tokens_per_fill = max_tokens, 1 s interval, 429, no headers', () => {
    const { bucket, problems } = parseLocalRateLimit({ max_tokens: 5 }, '/spec/local_rate_limit');
    expect(problems).toEqual([]);
    expect(localRateLimitPerRoute(bucket!, 'mapping_default_api')).toEqual({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      stat_prefix: 'mapping_default_api',
      token_bucket: { max_tokens: 5, tokens_per_fill: 5, fill_interval: '1.000s' },
      filter_enabled: {
        runtime_key: 'local_rate_limit_enabled',
        default_value: { numerator: 100, denominator: 'HUNDRED' },
      },
      filter_enforced: {
        runtime_key: 'local_rate_limit_enforced',
        default_value: { numerator: 100, denominator: 'HUNDRED' },
      },
    });
  });

  it('status code and response headers are configurable', () => {
    const { bucket } = parseLocalRateLimit(
      {
        max_tokens: 2,
        tokens_per_fill: 1,
        fill_interval_ms: 250,
        status_code: 503,
        response_headers: { 'X-Limited': 'yes', a: 'b' },
      },
      '/spec/local_rate_limit',
    );
    const config = localRateLimitPerRoute(bucket!, 'p');
    expect(config.token_bucket).toEqual({ max_tokens: 2, tokens_per_fill: 1, fill_interval: '0.250s' });
    expect(config.status).toEqual({ code: 'ServiceUnavailable' });
    expect(config.response_headers_to_add).toEqual([
      { header: { key: 'a', value: 'b' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-limited', value: 'yes' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ]);
  });

  it('header values are literal: % is escaped for Envoy, which reads them as format strings', () => {
    const { bucket } = parseLocalRateLimit({ max_tokens: 1, response_headers: { 'x-quota': '100%' } }, '/p');
    expect(localRateLimitPerRoute(bucket!, 'p').response_headers_to_add).toEqual([
      { header: { key: 'x-quota', value: '100%%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ]);
  });

  it('wrong values are coded problems on their field, and no bucket', () => {
    const cases: Array<[unknown, string[]]> = [
      [{ max_tokens: 0 }, ['/p/max_tokens']],
      [{}, ['/p/max_tokens']],
      [{ max_tokens: 1, fill_interval_ms: 10 }, ['/p/fill_interval_ms']],
      [{ max_tokens: 1, status_code: 299 }, ['/p/status_code']],
      [{ max_tokens: 1, status_code: 418 }, ['/p/status_code']],
      [{ max_tokens: 1, response_headers: { 'bad name': 'x' } }, ['/p/response_headers/bad name']],
      [{ max_tokens: 1, response_headers: { ok: 'a\r\nb' } }, ['/p/response_headers/ok']],
      [{ max_tokens: 1, tokens_per_fill: 1.5 }, ['/p/tokens_per_fill']],
      [{ max_tokens: 1, fill_interval_ms: 9223372036000 }, ['/p/fill_interval_ms']],
      [{ max_tokens: 1, burst: 3 }, ['/p/burst']],
      ['10/s', ['/p']],
    ];
    for (const [raw, paths] of cases) {
      const { bucket, problems } = parseLocalRateLimit(raw, '/p');
      expect(bucket, JSON.stringify(raw)).toBeUndefined();
      expect(problems.map((p) => p.path)).toEqual(paths);
      expect(new Set(problems.map((p) => p.code))).toEqual(new Set(['RATELIMIT_LOCAL_INVALID']));
    }
  });

  it('the status table is exactly the 4xx/5xx values of envoy.type.v3.StatusCode', () => {
    const codeField = messageDesc('envoy.type.v3.HttpStatus').fields[0]!;
    const values = (codeField.enum?.values ?? []).filter((v) => v.number >= 400);
    expect(Object.fromEntries(values.map((v) => [v.number, v.name]))).toEqual(envoyStatusNames);
  });
});
