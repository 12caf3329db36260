/**
 * The worker thread's side of {@link TransferThread}: a client of its own runs the large
 * transfers it is sent. The key is asked of the main thread for every request (as the client
 * there reads it), the request log goes back there, progress at most every
 * {@link PROGRESS_EVERY_MS} and once at the end. Bundled as `dist/transferWorker.js`.
 */
import * as l10n from '@vscode/l10n';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { DriveClient } from './DriveClient';
import { Throttle } from './throttle';
import { PROGRESS_EVERY_MS, remakeError, sendError, type FromWorker, type ThreadJob, type ToWorker, type WorkerInit } from './transferThread';
import type { Progress } from './types';

/** The transfer thread's nice value on Linux (0 is the default, 19 the lowest priority). */
export const TRANSFER_NICE = 10;

function serve(port: MessagePort, init: WorkerInit): void {
  if (init.l10nBundle) l10n.config({ contents: init.l10nBundle });
  const post = (m: FromWorker): void => port.postMessage(m);
  const keys = new Map<number, (key: string | undefined) => void>();
  let nextKey = 0;
  const client = new DriveClient({
    ...init.client,
    getApiKey: () =>
      new Promise<string | undefined>((resolve) => {
        const n = ++nextKey;
        keys.set(n, resolve);
        post({ t: 'key?', n });
      }),
    onRequest: (entry) => post({ t: 'request', entry }),
  });
  const running = new Map<number, AbortController>();
  /** Downloads waiting for the main thread's `place` before their rename. */
  const placing = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  async function run(id: number, job: ThreadJob): Promise<void> {
    const ac = new AbortController();
    running.set(id, ac);
    let last: Progress | undefined;
    const progress = new Throttle(PROGRESS_EVERY_MS, () => {
      if (!last) return;
      post({ t: 'progress', id, done: last.done, total: last.total });
      last = undefined;
    });
    const onProgress = (p: Progress): void => {
      last = p;
      progress.request();
    };
    const { gated, ...opts } = job.opts as typeof job.opts & { gated?: boolean };
    const call = { ...opts, signal: ac.signal, onProgress };
    const beforePlace = (): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        placing.set(id, { resolve, reject });
        post({ t: 'place?', id });
      });
    try {
      const value =
        job.op === 'download'
          ? await client.downloadToFile(job.desktopId, job.name, job.targetPath, { ...call, onTempFile: (path) => post({ t: 'temp', id, path }), ...(gated ? { beforePlace } : {}) })
          : await client.upload(job.desktopId, job.name, { kind: 'file', path: job.path }, call);
      progress.request(true);
      post({ t: 'done', id, value });
    } catch (err) {
      progress.request(true);
      post({ t: 'fail', id, error: sendError(err) });
    } finally {
      running.delete(id);
      placing.delete(id);
    }
  }

  port.on('message', (m: ToWorker) => {
    switch (m.t) {
      case 'run':
        void run(m.id, m.job);
        return;
      case 'abort':
        running.get(m.id)?.abort();
        // A download waiting for its `place` stops waiting: the client then fails it as cancelled.
        placing.get(m.id)?.resolve();
        return;
      case 'place': {
        const waiting = placing.get(m.id);
        placing.delete(m.id);
        if (m.error) waiting?.reject(remakeError(m.error));
        else waiting?.resolve();
        return;
      }
      case 'key':
        keys.get(m.n)?.(m.key);
        keys.delete(m.n);
        return;
    }
  });
  post({ t: 'ready' });
}

/**
 * The transfers are background work: on a machine short of cores, the host's own thread (the
 * workbench's requests, every extension) should get a core before this one. On Linux a thread
 * has a nice value of its own; this one runs at {@link TRANSFER_NICE}. The libuv pool threads
 * that write its files were started by the host long before and keep the host's priority.
 * Elsewhere (no /proc) the thread keeps the process's priority.
 */
function lowerPriority(nice: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, nice);
  } catch {
    // not Linux, or not allowed: the thread keeps the process's priority
  }
}

if (parentPort) {
  lowerPriority(TRANSFER_NICE);
  serve(parentPort, workerData as WorkerInit);
}
