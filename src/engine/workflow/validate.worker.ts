/**
 * Worker-thread side of `validateOffThread` (validate-off-thread.ts): validates one
 * document against the tool catalog it was sent and posts the result back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { catalogLookup, type CatalogEntry } from './validate-catalog';
import { validateWorkflow } from './validate';

const { doc, catalog } = workerData as { doc: unknown; catalog: CatalogEntry[] };
parentPort!.postMessage(validateWorkflow(doc, catalogLookup(catalog)));
