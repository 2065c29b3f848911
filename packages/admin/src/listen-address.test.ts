import { describe, expect, it } from 'vitest';
import { parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it('defaults to loopback 8877', () => {
    expect(parseListenAddress(undefined)).toEqual({ host: '127.0.0.1', port: 8877 });
    expect(parseListenAddress(':9000')).toEqual({ host: '127.0.0.1', port: 9000 });
  });
  it('reads IPv4, hostnames and bracketed IPv6', () => {
    expect(parseListenAddress('0.0.0.0:8877')).toEqual({ host: '0.0.0.0', port: 8877 });
    expect(parseListenAddress('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseListenAddress('[::1]:8877')).toEqual({ host: '::1', port: 8877 });
  });
  it('rejects what is not HOST:PORT', () => {
    expect(() => parseListenAddress('8877')).toThrow(/HOST:PORT/);
    expect(() => parseListenAddress('127.0.0.1:70000')).toThrow(/0-65535/);
    expect(() => parseListenAddress('::1:8877')).toThrow(/HOST:PORT/);
  });
});
