export interface DebounceOptions {
  /** Wait this long after the last change before firing. */
  quietMs: number;
  /** Never delay a change longer than this, even if changes keep arriving. */
  maxMs: number;
}

export const defaultDebounce: DebounceOptions = { quietMs: 100, maxMs: 1000 };

export interface Debouncer {
  /** Records a change; `fire` runs after quietMs of silence, or maxMs after the first pending change. */
  trigger(): void;
  /** Fires now if a change is pending. */
  flush(): void;
  cancel(): void;
  readonly pending: boolean;
}

/**
 * Coalesces bursts (a `kubectl apply` of fifty Mappings, an editor's
 * write-rename-chmod) into one compile, while the cap keeps a steady trickle
 * of changes from starving publication forever.
 */
export function createDebouncer(options: DebounceOptions, fire: () => void): Debouncer {
  let quietTimer: ReturnType<typeof setTimeout> | undefined;
  let capTimer: ReturnType<typeof setTimeout> | undefined;

  const clear = () => {
    if (quietTimer) clearTimeout(quietTimer);
    if (capTimer) clearTimeout(capTimer);
    quietTimer = undefined;
    capTimer = undefined;
  };
  const run = () => {
    clear();
    fire();
  };

  return {
    trigger() {
      if (quietTimer) clearTimeout(quietTimer);
      quietTimer = setTimeout(run, options.quietMs);
      if (!capTimer) capTimer = setTimeout(run, Math.max(options.maxMs, options.quietMs));
    },
    flush() {
      if (quietTimer || capTimer) run();
    },
    cancel: clear,
    get pending() {
      return quietTimer !== undefined;
    },
  };
}
