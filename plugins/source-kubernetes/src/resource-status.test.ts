import type { Diagnostic } from '@attache/core';
import { describe, expect, it } from 'vitest';
import { statusFromDiagnostics, statusToWrite } from './resource-status.js';

const diag = (code: string, severity: Diagnostic['severity'] = 'error'): Diagnostic => ({
  code,
  severity,
  message: `${code} message`,
  origin: { plugin: 'http' },
});
const now = new Date('2026-11-27T12:00:00.123Z');

describe('statusFromDiagnostics', () => {
  it('is Running and Accepted without errors, warnings in the message', () => {
    expect(statusFromDiagnostics([diag('W', 'warning')], 4)).toEqual({
      state: 'Running',
      reason: '',
      conditions: [
        {
          type: 'Accepted',
          status: 'True',
          reason: 'Accepted',
          message: 'W: W message',
          observedGeneration: 4,
        },
      ],
    });
  });

  it("is Error with the first error's code and every error in the message", () => {
    expect(statusFromDiagnostics([diag('A'), diag('B')], undefined)).toEqual({
      state: 'Error',
      reason: 'A: A message',
      conditions: [{ type: 'Accepted', status: 'False', reason: 'A', message: 'A: A message; B: B message' }],
    });
  });

  it('adds ServingLastGood when the runtime serves the last good version of an invalid resource', () => {
    const status = statusFromDiagnostics([diag('MAPPING_SERVICE_MISSING'), diag('RESOURCE_LAST_GOOD')], 7);
    expect(status.state).toBe('Error');
    expect(status.conditions).toEqual([
      expect.objectContaining({ type: 'Accepted', status: 'False', reason: 'MAPPING_SERVICE_MISSING' }),
      {
        type: 'ServingLastGood',
        status: 'True',
        reason: 'ResourceInvalid',
        message: 'RESOURCE_LAST_GOOD message',
        observedGeneration: 7,
      },
    ]);
    expect(statusFromDiagnostics([diag('MAPPING_SERVICE_MISSING')], 7).conditions).toHaveLength(1);
  });
});

describe('statusToWrite', () => {
  it('writes a first status with a transition time, then nothing while it holds', () => {
    const desired = statusFromDiagnostics([], 1);
    const first = statusToWrite(desired, undefined, now);
    expect(first?.conditions[0]?.lastTransitionTime).toBe('2026-11-27T12:00:00Z');
    expect(statusToWrite(desired, first, new Date('2026-11-28T00:00:00Z'))).toBeUndefined();
  });

  it('keeps the transition time when only the message changes, and moves it when the condition flips', () => {
    const first = statusToWrite(statusFromDiagnostics([], 1), undefined, now);
    const warned = statusToWrite(
      statusFromDiagnostics([diag('W', 'warning')], 1),
      first,
      new Date('2026-11-28T00:00:00Z'),
    );
    expect(warned?.conditions[0]?.lastTransitionTime).toBe('2026-11-27T12:00:00Z');
    const failed = statusToWrite(
      statusFromDiagnostics([diag('E')], 2),
      warned,
      new Date('2026-11-28T00:00:00Z'),
    );
    expect(failed?.conditions[0]).toMatchObject({
      status: 'False',
      observedGeneration: 2,
      lastTransitionTime: '2026-11-28T00:00:00Z',
    });
  });
});
