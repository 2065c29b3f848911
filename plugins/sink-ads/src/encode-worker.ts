/**
 * Encodes large resources to protobuf off the event loop's thread: a 4 MB
 * RouteConfiguration takes hundreds of milliseconds to encode, which would
 * otherwise stall every xDS stream and health probe of the process.
 */
import { parentPort } from 'node:worker_threads';
import { defaultXdsCodec } from './default-codec.js';

export interface EncodeRequest {
  id: number;
  name: string;
  version: string;
  text: string;
}

export type EncodeReply =
  | { id: number; sotwFragment: Uint8Array; deltaFragment: Uint8Array }
  | { id: number; error: string };

const port = parentPort;
if (!port) throw new Error('encode-worker.js runs as a worker thread');
const codec = defaultXdsCodec();
port.on('message', (request: EncodeRequest) => {
  try {
    // From the text: a route table encoded before is cut into its parts without being parsed.
    const encoded = codec.encodeResourceText(request.name, request.version, request.text);
    const reply: EncodeReply = {
      id: request.id,
      sotwFragment: encoded.sotwFragment,
      deltaFragment: encoded.deltaFragment,
    };
    port.postMessage(reply, [encoded.sotwFragment.buffer, encoded.deltaFragment.buffer] as ArrayBuffer[]);
  } catch (e) {
    port.postMessage({ id: request.id, error: (e as Error).message ?? String(e) } satisfies EncodeReply);
  }
});
