/**
 * Waiting in tests: poll for the condition instead of sleeping a fixed time,
 * so a test is as fast as the code allows and still passes on a slow machine.
 */

export interface WaitOptions {
  /** Give up after this long (default 5 s). */
  timeoutMs?: number;
  /** Time between polls (default 10 ms). */
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what?: string;
}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `fn` until it returns a value other than `undefined`, `null` or
 * `false`, and returns that value. A throw counts as "not yet" (e.g. a server
 * still starting); the last error is named if the wait times out.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, o: WaitOptions = {}): Promise<Exclude<T, undefined | null | false>> {
  const timeoutMs = o.timeoutMs ?? 5_000;
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v as Exclude<T, undefined | null | false>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > end) {
      const why = lastError ? ` (last error: ${(lastError as Error).message ?? String(lastError)})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${o.what ?? 'condition'}${why}`);
    }
    await pause(o.intervalMs ?? 10);
  }
}

/**
 * A deliberate, short wait for tests that prove something does NOT happen
 * (no reconnect, no second send): there is no event to poll for, so the test
 * watches for `ms` and then checks that nothing changed. `why` documents the
 * bound at the call site.
 */
export async function quietFor(ms: number, why: string): Promise<void> {
  if (!why) throw new Error('quietFor needs a reason');
  await pause(ms);
}
