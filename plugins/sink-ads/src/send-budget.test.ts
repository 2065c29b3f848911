import { describe, expect, it } from 'vitest';
import { SendBudget } from './send-budget.js';

describe('SendBudget', () => {
  it('lets writers wait in order until flushed bytes free room', () => {
    const budget = new SendBudget(100);
    const first = budget.charge(80);
    expect(budget.available).toBe(true);
    const second = budget.charge(40);
    expect(budget.available).toBe(false);
    const woken: string[] = [];
    budget.wait(() => woken.push('a'));
    budget.wait(() => woken.push('b'));
    second();
    second();
    expect(budget.bytesInFlight).toBe(80);
    expect(woken).toEqual(['a', 'b']);
    first();
    expect(budget.bytesInFlight).toBe(0);
  });

  it('stops counting bytes a slow client has not taken after the release delay', async () => {
    const budget = new SendBudget(10, 20);
    budget.charge(50);
    expect(budget.available).toBe(false);
    let woken = false;
    budget.wait(() => {
      woken = true;
    });
    await new Promise((r) => setTimeout(r, 60));
    expect(woken).toBe(true);
    expect(budget.available).toBe(true);
  });
});
