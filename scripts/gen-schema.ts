/**
 * Writes resources/awe.schema.json from the zod workflow model (`npm run schema`).
 * Run it after changing src/contract/workflow.ts; src/engine/workflow/schema.test.ts fails until you do.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workflowJsonSchemaText } from '../src/engine/workflow/schema';

const target = fileURLToPath(new URL('../resources/awe.schema.json', import.meta.url));
writeFileSync(target, workflowJsonSchemaText());
console.log(`wrote ${target}`);
