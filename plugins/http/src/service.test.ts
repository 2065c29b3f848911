import { describe, expect, it } from 'vitest';
import { parseService } from './service.js';

describe('parseService', () => {
  it.each([
    ['quote', { host: 'quote' }],
    ['quote:8080', { host: 'quote', port: 8080 }],
    ['quote.apps', { host: 'quote.apps' }],
    ['https://billing.example.net', { scheme: 'https', host: 'billing.example.net' }],
    ['http://quote.apps:81/', { scheme: 'http', host: 'quote.apps', port: 81 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
  ])('%s', (text, expected) => {
    expect(parseService(text)).toEqual(expected);
  });

  it.each(['quote:0', 'quote:99999', 'quote:http', 'ftp://quote', 'a/b', ':80', '[::1'])(
    'rejects %s',
    (text) => {
      expect(parseService(text)).toHaveProperty('error');
    },
  );
});
