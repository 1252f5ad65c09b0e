import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpClient } from '../src/core/http-client.js';

/**
 * CPU per outbound platform call: Node's built-in fetch against the
 * keep-alive node:http client the service injects, POSTing a sessionWebhook-
 * sized JSON body to a local server, one call at a time (as a reply is sent).
 * Both in this process, same run; the ratio is what counts on a noisy machine.
 */
export async function benchHttpClient(o: { calls?: number } = {}) {
  const calls = o.calls ?? 3_000;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"errcode":0,"errmsg":"ok"}'); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/robot/sendBySession?session=s`;
  const body = JSON.stringify({ msgtype: 'markdown', markdown: { title: '整改进度', text: '🔴 逾期 1 项\n\n'.repeat(40) } });
  const client = createHttpClient();
  const run = async (f: typeof fetch) => {
    for (let i = 0; i < 200; i++) await (await f(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await (await f(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // The server runs in this process too: its share is the same for both clients.
    return { cpu_us_per_call: +((cpu.user + cpu.system) / calls).toFixed(1), wall_us_per_call: +((wall * 1000) / calls).toFixed(1) };
  };
  const builtin = await run(globalThis.fetch);
  const keepAlive = await run(client);
  client.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  return {
    calls, builtin_fetch: builtin, keep_alive_client: keepAlive,
    cpu_ratio_client_vs_fetch: +(keepAlive.cpu_us_per_call / builtin.cpu_us_per_call).toFixed(2),
    note: 'CPU µs include the in-process server\'s share (identical for both)',
  };
}
