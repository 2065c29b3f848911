import type { DescField } from '@bufbuild/protobuf';
import { fieldSemantics } from './envoy-semantics.js';
import type { ValueCheck } from './validate-walker.js';

/**
 * Envoy refuses every duration of 9,223,372,036 s or more ("Invalid duration: Duration
 * out-of-range"; measured with Envoy 1.39.3 on route, idle, connect, per-try and cluster
 * idle timeouts): it works in int64 nanoseconds, far below protobuf's own limit of
 * 315,576,000,000 s, which is all the protos say.
 */
export const envoyMaxDurationSeconds = 9223372035n;

const durationInRange: ValueCheck = (value, w) => {
  const seconds = (value as { seconds?: unknown } | undefined)?.seconds;
  if (
    typeof seconds === 'bigint' &&
    (seconds > envoyMaxDurationSeconds || seconds < -envoyMaxDurationSeconds)
  ) {
    w.report(`is ${seconds} s: Envoy refuses durations of 9223372036 s or more`);
  }
};

/** The load-time check of a field (envoy-semantics.ts), else the one every field of its type gets (Duration). */
export function semanticOf(field: DescField): ValueCheck | undefined {
  return (
    fieldSemantics[`${field.parent.typeName}.${field.name}`] ??
    (field.message?.typeName === 'google.protobuf.Duration' ? durationInRange : undefined)
  );
}
