import { hasTemplate } from '../templates';
import { requireInput, type NodeKindInfo } from './types';

/** Literal map items checked against the tool's input schema: enough to catch a pattern. */
const MAX_ITEMS_CHECKED = 100;

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Runs `tool` over each item of `inputs.items`, with `inputs.with` as the per-item input
 * (`{{item}}`, `{{index}}`) or the item itself, bounded concurrency.
 */
export const mapKind: NodeKindInfo = {
  kind: 'map',
  title: 'Map',
  description: 'Run a tool over each item of a list',
  icon: '⇶',
  tool: { uses: 'named' },
  flowPalette: true,
  form: 'map',
  plannerHint: '"map" (inputs.items: a list, inputs.with: the per-item input using {{item.<path>}}, tool: the tool run per item; output {results, errors})',
  itemScope: ['with'],
  check: (node, at) => requireInput(node, at, 'items', 'a map needs inputs.items (the list to run over)'),
  // The tool is called with `inputs.with` per item, or with each item itself when there is no `with`.
  toolInputs(node, at) {
    const { with: withValue, items } = node.inputs;
    if (isRecord(withValue)) return [{ value: withValue, at: `${at}.inputs.with` }];
    if (withValue !== undefined || !Array.isArray(items) || hasTemplate(items)) return [];
    return items.slice(0, MAX_ITEMS_CHECKED).flatMap((item, i) => (isRecord(item) ? [{ value: item, at: `${at}.inputs.items[${i}]` }] : []));
  },
  outputSchema(node, toolOutput) {
    // The tool's output schema describes one item, not the map's output.
    const each = node.tool ? toolOutput(node.tool) : undefined;
    return {
      type: 'object',
      properties: {
        results: { type: 'array', items: each },
        errors: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, message: { type: 'string' } } } },
        succeeded: { type: 'integer' },
        failed: { type: 'integer' },
      },
    };
  },
};
