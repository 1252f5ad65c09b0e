import type { IncomingMessage, ServerResponse } from 'node:http';

/** An injected failure for one fake endpoint call. */
export type Fault =
  | { kind: 'status'; status: number; body?: unknown }
  | { kind: 'errcode'; errcode: number; errmsg?: string }
  | { kind: 'hang' } // never answers: the client must time out
  | { kind: 'reset' } // drops the TCP connection
  | { kind: 'pass' }; // answers normally (to fail a later call in the queue)

/** FIFO of faults per endpoint: each call consumes one, if any. */
export class FaultQueue {
  private readonly q = new Map<string, Fault[]>();
  push(endpoint: string, ...faults: Fault[]): void {
    this.q.set(endpoint, [...(this.q.get(endpoint) ?? []), ...faults]);
  }
  take(endpoint: string): Fault | undefined {
    return this.q.get(endpoint)?.shift();
  }
  clear(): void {
    this.q.clear();
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const s = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8', 'Content-Length': Buffer.byteLength(s) });
  res.end(s);
}

/**
 * Applies a fault. Returns true when the response was handled (or withheld).
 * Hung responses are remembered so the fake can end them on close.
 */
export function applyFault(fault: Fault | undefined, res: ServerResponse, hung: Set<ServerResponse>): boolean {
  if (!fault || fault.kind === 'pass') return false;
  switch (fault.kind) {
    case 'status':
      sendJson(res, fault.status, fault.body ?? { code: 'ServiceUnavailable', message: 'injected' });
      return true;
    case 'errcode':
      sendJson(res, 200, { errcode: fault.errcode, errmsg: fault.errmsg ?? 'injected' });
      return true;
    case 'hang':
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return true;
    case 'reset':
      res.socket?.destroy();
      return true;
  }
}
