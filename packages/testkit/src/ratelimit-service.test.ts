import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  findRateLimitBinary,
  findRedisServer,
  RateLimitService,
  rateLimitClient,
  rateLimitMissingMessage,
} from './ratelimit-service.js';

/**
 * The rate-limit harness itself, with no Envoy and no Attaché: the real
 * service (tools/ratelimit/get.sh) with its own redis, asked directly over
 * gRPC. A descriptor with a limit of 2 per minute is OK twice, then
 * OVER_LIMIT; another value of the same key has no limit; the debug log
 * tells which descriptors arrived.
 */
const available = Boolean(findRateLimitBinary() && findRedisServer());
if (!available) console.warn(rateLimitMissingMessage('testkit rate-limit harness'));

describe.skipIf(!available)('RateLimitService harness (real envoyproxy/ratelimit + redis)', () => {
  let service: RateLimitService;
  let client: ReturnType<typeof rateLimitClient>;

  beforeAll(async () => {
    service = await RateLimitService.start({
      domain: 'harness-test',
      descriptors: [
        { key: 'tenant', value: 'small', rate_limit: { unit: 'minute', requests_per_unit: 2 } },
        {
          key: 'generic_key',
          value: 'api',
          descriptors: [{ key: 'plan', rate_limit: { unit: 'minute', requests_per_unit: 1 } }],
        },
      ],
    });
    client = rateLimitClient(service.grpcAddress);
  }, 30_000);

  afterAll(async () => {
    client?.close();
    await service?.stop();
  });

  const ask = (entries: Array<[string, string]>) =>
    client.shouldRateLimit({
      domain: 'harness-test',
      descriptors: [{ entries: entries.map(([key, value]) => ({ key, value })) }],
    });

  it('serves the domain it was given (debug /rlconfig)', async () => {
    expect(await service.loadedConfig()).toContain('harness-test.tenant_small');
  });

  it('OK under the limit, OVER_LIMIT above it, per descriptor value', async () => {
    onTestFailed(() => console.log(service.output()));
    expect((await ask([['tenant', 'small']])).overallCode).toBe('OK');
    expect((await ask([['tenant', 'small']])).overallCode).toBe('OK');
    const over = await ask([['tenant', 'small']]);
    expect(over.overallCode).toBe('OVER_LIMIT');
    expect((over.statuses as Array<Record<string, unknown>>)[0]).toMatchObject({
      code: 'OVER_LIMIT',
      currentLimit: { requestsPerUnit: 2, unit: 'MINUTE' },
    });
    // Another value of the key matches no limit: never limited.
    for (let i = 0; i < 4; i++) expect((await ask([['tenant', 'large']])).overallCode).toBe('OK');
  });

  it('nested descriptors: a two-entry descriptor hits the nested limit', async () => {
    expect(
      (
        await ask([
          ['generic_key', 'api'],
          ['plan', 'gold'],
        ])
      ).overallCode,
    ).toBe('OK');
    expect(
      (
        await ask([
          ['generic_key', 'api'],
          ['plan', 'gold'],
        ])
      ).overallCode,
    ).toBe('OVER_LIMIT');
    // The first entry alone has no limit of its own.
    expect((await ask([['generic_key', 'api']])).overallCode).toBe('OK');
    expect((await ask([['generic_key', 'api']])).overallCode).toBe('OK');
  });

  it('records every descriptor it was asked about, in order', async () => {
    await ask([
      ['generic_key', 'seen-check'],
      ['x-tenant', 'a=b'],
    ]);
    // The service logs asynchronously: lines of the previous test's calls may still be
    // arriving, so look for this call's descriptor rather than at the next entry.
    const ours = () => service.seen.filter((d) => d[0]?.[1] === 'seen-check');
    const deadline = Date.now() + 5000;
    while (ours().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(ours()).toEqual([
      [
        ['generic_key', 'seen-check'],
        ['x-tenant', 'a=b'],
      ],
    ]);
  });
});
