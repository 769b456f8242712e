/**
 * Starts one of the engine's worker threads (`*.worker.ts` beside its caller in sources,
 * `*.worker.js` beside the compiled CLI). Undefined where none can be started (a bundle
 * without the worker file, such as the desktop app's main process): the caller then does the
 * work in place.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type Transferable } from 'node:worker_threads';

/** `name` is the worker module's name without extension, e.g. `./validate.worker`; `caller` the caller's import.meta.url. */
export function startWorker(caller: string, name: string, workerData: unknown, transferList?: readonly Transferable[]): Worker | undefined {
  const file = new URL(`${name}${caller.endsWith('.ts') ? '.ts' : '.js'}`, caller);
  if (file.protocol !== 'file:' || !existsSync(fileURLToPath(file))) return undefined;
  try {
    return new Worker(file, {
      workerData,
      ...(transferList ? { transferList: [...transferList] } : {}),
      // Source checkouts run TypeScript through tsx; the worker needs it too.
      execArgv: file.pathname.endsWith('.ts') && !process.execArgv.some((a) => a.includes('tsx')) ? [...process.execArgv, '--import', 'tsx'] : process.execArgv,
    });
  } catch {
    return undefined;
  }
}
