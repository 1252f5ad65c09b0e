import type { IncomingMessage as NodeRequest } from 'node:http';
import { isLocalRequest } from '../../core/local-request.js';

const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/** Why a console request was refused (for the debug log; the client only sees the status). */
export type ConsoleRefusal = 'remote' | 'host' | 'origin';

/**
 * Decides whether a request may reach the console page or its API. The
 * console speaks as any console user, so only a browser on this machine,
 * talking to this machine by a loopback name, may use it:
 * - the socket's remote address is loopback (not X-Forwarded-For), and no
 *   proxy header is present (a local reverse proxy would otherwise make
 *   every remote client look local);
 * - the Host header is localhost / 127.0.0.1 / [::1] (defeats DNS rebinding:
 *   a rebound name still arrives with the attacker's host name);
 * - an Origin header, when present, is the page's own origin (defeats
 *   cross-site form and fetch posts).
 */
export function checkConsoleRequest(req: NodeRequest): ConsoleRefusal | null {
  if (!isLocalRequest(req)) return 'remote';
  const host = req.headers.host ?? '';
  if (!LOCAL_HOST.test(host)) return 'host';
  const origin = req.headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.toLowerCase()}`) return 'origin';
  // Browsers also say where a request comes from; anything but this page (or the address bar) is refused.
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'origin';
  return null;
}
