import { createRequire } from 'node:module';

/**
 * gRPC messages framed once and written as they are to every stream.
 *
 * grpc-js frames each message it sends (a 5-byte prefix: compressed flag and
 * length) by copying it into a fresh buffer. For a 1.5 MiB RouteConfiguration
 * sent to 1,000 streams that is 1.5 GB of copying and page faults per change,
 * most of the server's CPU. A response shared by every stream is framed once
 * here; the serialisation step of grpc-js 1.14 is taught to pass such buffers
 * through untouched, so each stream's HTTP/2 writes reference the one buffer.
 * Where that step cannot be found (another grpc-js), `unframedBody` gives the
 * plain message back and grpc-js frames it as usual: slower, never wrong.
 */
const framed = new WeakSet<Uint8Array>();

/** `body` with the gRPC message prefix (uncompressed), recognised by `isFramed`. */
export function frameMessage(body: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(body.length + 5);
  out[0] = 0;
  out.writeUInt32BE(body.length, 1);
  out.set(body, 5);
  framed.add(out);
  return out;
}

export function isFramed(bytes: Uint8Array): boolean {
  return framed.has(bytes);
}

/** The message without its prefix, for a grpc-js that frames it itself. */
export function unframedBody(bytes: Uint8Array): Uint8Array {
  return framed.has(bytes) ? bytes.subarray(5) : bytes;
}

let installed: boolean | undefined;

/** Teaches grpc-js to send framed buffers as they are; returns whether it could. */
export function installFramedPassThrough(): boolean {
  if (installed !== undefined) return installed;
  installed = false;
  try {
    const require = createRequire(import.meta.url);
    const interceptors = require('@grpc/grpc-js/build/src/server-interceptors.js') as {
      BaseServerInterceptingCall?: { prototype: { serializeMessage?: (value: unknown) => Buffer } };
    };
    const proto = interceptors.BaseServerInterceptingCall?.prototype;
    const original = proto?.serializeMessage;
    if (!proto || typeof original !== 'function') return false;
    proto.serializeMessage = function serializeMessage(this: unknown, value: unknown): Buffer {
      if (value instanceof Uint8Array && framed.has(value)) {
        return Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      }
      return original.call(this, value);
    };
    installed = true;
  } catch {
    installed = false;
  }
  return installed;
}
