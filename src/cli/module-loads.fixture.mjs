// Preloaded with `node --import` by startup.integration.test.ts: records the URL of every module
// this process loads (ES modules and require() alike) and adds them, one a line, to
// AWE_LOADS_FILE when the process exits (added, not written: a worker thread preloads this too).
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => appendFileSync(process.env.AWE_LOADS_FILE, [...loaded].map((url) => `${url}\n`).join('')));
