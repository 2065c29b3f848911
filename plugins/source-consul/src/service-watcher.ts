import { Backoff, sleep } from '@attache/core';
import {
  type AgentConnection,
  type ConsulInstance,
  type HealthAnswer,
  queryHealth,
} from './consul-client.js';
import type { ServiceWatch } from './watch-set.js';

export interface WatcherOptions {
  waitSeconds: number;
  backoff: { initialMs: number; maxMs: number };
}

export interface WatcherEvents {
  /** The passing instances now (sorted), after the first answer and after every change. */
  instances(instances: ConsulInstance[], skipped: string[], filteredByAcls: boolean): void;
  /** A query failed; the watcher retries with backoff and resyncs from scratch when the agent answers again. */
  failure(answer: Extract<HealthAnswer, { ok: false }>): void;
}

/**
 * Follows one service in one datacenter with blocking queries (index + wait),
 * as Consul documents them: the index only moves forward (a smaller one resets
 * the watch), and is at least 1, so a query never spins.
 */
export class ServiceWatcher {
  readonly watch: ServiceWatch;
  readonly #connect: () => AgentConnection;
  readonly #options: WatcherOptions;
  readonly #events: WatcherEvents;
  readonly #abort = new AbortController();
  #running: Promise<void> | undefined;
  #firstAnswer!: () => void;
  /** Settles after the first answer, good or bad. */
  readonly answered = new Promise<void>((resolve) => {
    this.#firstAnswer = resolve;
  });

  constructor(
    watch: ServiceWatch,
    connect: () => AgentConnection,
    options: WatcherOptions,
    events: WatcherEvents,
  ) {
    this.watch = watch;
    this.#connect = connect;
    this.#options = options;
    this.#events = events;
  }

  start(): void {
    this.#running ??= this.#loop();
  }

  /** Ends the watch (an outstanding blocking query is aborted). */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#firstAnswer();
    await this.#running;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    const backoff = new Backoff(this.#options.backoff.initialMs, this.#options.backoff.maxMs);
    let index = 0;
    let last: string | undefined;
    while (!signal.aborted) {
      const answer = await queryHealth(
        this.#connect(),
        {
          service: this.watch.service,
          datacenter: this.watch.datacenter,
          index,
          waitSeconds: this.#options.waitSeconds,
        },
        signal,
      );
      if (signal.aborted) break;
      if (!answer.ok) {
        this.#events.failure(answer);
        this.#firstAnswer();
        index = 0; // when the agent is back, start over: a full read, then blocking again
        last = undefined;
        await sleep(backoff.next(), signal);
        continue;
      }
      backoff.reset();
      index = answer.index < index ? 0 : Math.max(1, answer.index);
      const instances = [...answer.instances].sort(
        (a, b) =>
          (a.address < b.address ? -1 : a.address > b.address ? 1 : a.port - b.port) ||
          (a.id < b.id ? -1 : 1),
      );
      const text = JSON.stringify([instances, answer.skipped, answer.filteredByAcls]);
      if (text !== last) {
        last = text;
        this.#events.instances(instances, answer.skipped, answer.filteredByAcls);
      }
      this.#firstAnswer();
    }
  }
}
