import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EncodeReply, EncodeRequest } from './encode-worker.js';
import type { EncodedResource } from './xds-codec.js';

/**
 * One worker thread that encodes the large resources of a snapshot (those
 * that come with their JSON text), so the event loop keeps serving xDS
 * streams and health probes while a big route table is encoded. Started on
 * first use; without a built worker script (tests from sources) it is not available.
 */
export class EncodePool {
  #worker: Worker | undefined;
  #nextId = 1;
  readonly #waiting = new Map<
    number,
    { resolve(r: EncodedResource): void; reject(e: Error): void; name: string; version: string }
  >();

  static available(): boolean {
    return existsSync(fileURLToPath(encodeWorkerScript()));
  }

  encode(name: string, version: string, text: string): Promise<EncodedResource> {
    const worker = this.#start();
    const id = this.#nextId++;
    return new Promise<EncodedResource>((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, name, version });
      worker.postMessage({ id, name, version, text } satisfies EncodeRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  #start(): Worker {
    if (this.#worker) return this.#worker;
    const worker = new Worker(encodeWorkerScript(), { execArgv: withoutConditions(process.execArgv) });
    worker.unref();
    worker.on('message', (reply: EncodeReply) => {
      const waiting = this.#waiting.get(reply.id);
      if (!waiting) return;
      this.#waiting.delete(reply.id);
      if ('error' in reply) waiting.reject(new Error(`encoding ${waiting.name}: ${reply.error}`));
      else
        waiting.resolve({
          name: waiting.name,
          version: waiting.version,
          sotwFragment: reply.sotwFragment,
          deltaFragment: reply.deltaFragment,
        });
    });
    const fail = (e: Error) => {
      for (const w of this.#waiting.values()) w.reject(e);
      this.#waiting.clear();
      this.#worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the encode worker exited with code ${code}`)));
    this.#worker = worker;
    return worker;
  }
}

/** encode-worker.js beside this module (built code), else the built copy in dist/ (tests from sources). */
function encodeWorkerScript(): URL {
  const here = new URL('./encode-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  return new URL('../dist/encode-worker.js', import.meta.url);
}

/** Built code only: a parent started with `--conditions source` (tests) would resolve TypeScript sources. */
function withoutConditions(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--conditions' || arg === '-C') i++;
    else if (!arg.startsWith('--conditions=') && !arg.startsWith('-C=')) out.push(arg);
  }
  return out;
}
