/**
 * A transfer thread that starts and then never answers (transferThread.test.ts): what close()
 * does with a thread whose transfer ignores its cancel.
 */
import { parentPort } from 'node:worker_threads';

parentPort?.postMessage({ t: 'ready' });
parentPort?.on('message', () => undefined);
