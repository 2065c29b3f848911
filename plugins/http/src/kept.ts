/**
 * Values by string key kept from one compile to the next (under an incremental
 * compiler): `rotate()` begins a compile, and what the compile before did not
 * use is dropped then, so it holds about what one compile made.
 */
export class KeptByString<T> {
  private current = new Map<string, T>();
  private previous = new Map<string, T>();

  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }

  get(key: string): T | undefined {
    let value = this.current.get(key);
    if (value === undefined) {
      value = this.previous.get(key);
      if (value !== undefined) this.current.set(key, value);
    }
    return value;
  }

  set(key: string, value: T): void {
    this.current.set(key, value);
  }
}
