/**
 * The built-in tool catalog and the real validator, as the planner sees them in the
 * engine: for planner tests that must produce workflows the engine would accept.
 */
import { builtinTools } from '../../src/engine/tools/builtins';
import { ToolRegistry } from '../../src/engine/tools/registry';
import { validateWorkflow } from '../../src/engine/workflow/validate';

export function builtinRegistry(): ToolRegistry {
  const registry = new ToolRegistry();
  for (const tool of builtinTools()) registry.register(tool);
  return registry;
}

export function builtinCatalog() {
  return builtinRegistry().infos();
}

/** `validate` for planGoal/planWithLlm: the engine's validator over the built-in tools. */
export function builtinValidate(registry = builtinRegistry()) {
  return (doc: unknown) => validateWorkflow(doc, registry);
}
