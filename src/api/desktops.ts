/** The desktop calls of the Nen API (`/desktops`), over the client's transport. */
import type { Method } from './attempt';
import { parseDeleteAnswer, parseDesktop, parseDesktopList, readJson, readText, MAX_JSON_BODY_BYTES } from './responses';
import { validateDesktopName } from './names';
import { desktopPath } from './routes';
import { CREATE_RETRY_STATUSES, RETRY_STATUSES, type Transport } from './transport';
import type { CallOptions, Desktop } from './types';

export async function listDesktops(t: Transport, opts: CallOptions): Promise<Desktop[]> {
  return t.exchange({
    method: 'GET',
    path: '/desktops',
    resource: 'desktop',
    transfer: false,
    signal: opts.signal,
    retryResets: true,
    retryStatuses: RETRY_STATUSES,
    onSuccess: async (res, att) => ({ value: parseDesktopList(await readJson(res, att, t.err), res.statusCode, t.err) }),
  });
}

export async function getDesktop(t: Transport, id: string, opts: CallOptions): Promise<Desktop> {
  return desktopCall(t, 'GET', desktopPath(id, t.err), undefined, opts.signal, RETRY_STATUSES, true);
}

/** Not idempotent: retried only on the statuses that promise nothing was created. */
export async function createDesktop(t: Transport, body: { desktop_type?: string }, opts: CallOptions): Promise<Desktop> {
  const payload: Record<string, string> = {};
  if (body.desktop_type !== undefined) payload.desktop_type = body.desktop_type;
  return desktopCall(t, 'POST', '/desktops', payload, opts.signal, CREATE_RETRY_STATUSES, false);
}

export async function renameDesktop(t: Transport, id: string, name: string, opts: CallOptions): Promise<Desktop> {
  const problem = validateDesktopName(name);
  if (problem) throw t.err('badRequest', problem);
  return desktopCall(t, 'PATCH', desktopPath(id, t.err), { name }, opts.signal, RETRY_STATUSES, true);
}

export async function deleteDesktop(t: Transport, id: string, opts: CallOptions): Promise<{ desktop_id: string; status: string }> {
  return t.exchange({
    method: 'DELETE',
    path: desktopPath(id, t.err),
    resource: 'desktop',
    transfer: false,
    signal: opts.signal,
    retryResets: true,
    retryStatuses: RETRY_STATUSES,
    onSuccess: async (res, att) => ({ value: parseDeleteAnswer(await readText(res, att, MAX_JSON_BODY_BYTES, t.err), id, res.statusCode, t.err) }),
  });
}

/** A call answered by one Desktop, with an optional JSON body. */
function desktopCall(
  t: Transport,
  method: Method,
  path: string,
  payload: Record<string, string> | undefined,
  signal: AbortSignal | undefined,
  retryStatuses: ReadonlySet<number>,
  retryResets: boolean,
): Promise<Desktop> {
  const data = payload ? Buffer.from(JSON.stringify(payload)) : undefined;
  return t.exchange({
    method,
    path,
    resource: 'desktop',
    transfer: false,
    signal,
    retryResets,
    retryStatuses,
    makeBody: data ? () => ({ body: data, length: data.length, contentType: 'application/json' }) : undefined,
    onSuccess: async (res, att) => ({ value: parseDesktop(await readJson(res, att, t.err), res.statusCode, t.err) }),
  });
}
