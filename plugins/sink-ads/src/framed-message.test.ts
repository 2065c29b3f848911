import { describe, expect, it } from 'vitest';
import { frameMessage, installFramedPassThrough, isFramed, unframedBody } from './framed-message.js';

describe('framed messages', () => {
  it('prefix a message as gRPC does (uncompressed, 4-byte big-endian length) and give the body back', () => {
    const body = new Uint8Array([1, 2, 3, 4, 5, 6, 7]);
    const framed = frameMessage(body);
    expect([...framed.subarray(0, 5)]).toEqual([0, 0, 0, 0, 7]);
    expect(isFramed(framed)).toBe(true);
    expect(isFramed(body)).toBe(false);
    expect([...unframedBody(framed)]).toEqual([...body]);
    expect(unframedBody(body)).toBe(body);
  });

  it('the pinned grpc-js can be taught to send them without copying (an upgrade that moves its serialiser fails here)', () => {
    expect(installFramedPassThrough()).toBe(true);
  });
});
