/**
 * A full garbage collection, when the runtime allows it. A big import makes
 * a lot of short-lived garbage (command objects, replies) that V8 would let
 * pile up to gigabytes before collecting; the live data stays small, so
 * collecting every ~64 MB of growth keeps the process's peak RSS bounded.
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | undefined;
/** Resolved on first need, so processes that never import a big ledger keep V8's flags untouched. */
function collector(): () => void {
  if (collect) return collect;
  collect = () => undefined;
  try {
    if (typeof globalThis.gc === 'function') collect = globalThis.gc;
    else {
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as unknown;
      if (typeof gc === 'function') collect = gc as () => void;
    }
  } catch { /* no collector: V8 decides alone */ }
  return collect;
}

let lastHeap = -1;
/** Collects when the heap has grown by 64 MB since the last collection (or the first look). */
export function boundHeap(): void {
  const used = process.memoryUsage().heapUsed;
  if (lastHeap < 0) lastHeap = used;
  if (used - lastHeap < 64e6) return;
  collector()();
  lastHeap = process.memoryUsage().heapUsed;
}
