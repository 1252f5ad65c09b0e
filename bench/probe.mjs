// Preloaded (`--import ./bench/probe.mjs`; plain JavaScript, so the service can run without tsx) into the processes bench/side-by-side.ts measures, so the
// service's own code stays untouched. Counts Redis round trips (writes on sockets to the Redis port:
// ioredis writes a command, a pipeline or a MULTI block in one write) and watches the event loop
// (perf_hooks monitorEventLoopDelay). The bench asks over the IPC channel: 'reset', then 'read'.
import net from 'node:net';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const port = Number(process.env.BENCH_PROBE_REDIS_PORT ?? 0);
let writes = 0;
const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (...args) {
  if (this.remotePort === port) writes++;
  return write.apply(this, args);
};

const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
// Event-loop utilisation since the last reset: how busy the main thread was (1: never idle).
let elu = performance.eventLoopUtilization();

process.on('message', (m) => {
  if (m === 'reset') {
    writes = 0;
    eld.reset();
    elu = performance.eventLoopUtilization();
    process.send?.({ probe: 'reset' });
  } else if (m === 'read') {
    process.send?.({ probe: 'read', redisRoundTrips: writes, eldP99Ms: eld.percentile(99) / 1e6, eldMaxMs: eld.max / 1e6, elu: performance.eventLoopUtilization(elu).utilization });
  }
});
// The IPC channel must not keep a process alive that would otherwise exit.
process.channel?.unref();
