/** Workflow documents shared by tests. */

/** The example of DESIGN.md §3, verbatim: it must validate and run as written. */
export const DESIGN_EXAMPLE_TEXT = `{
  "id": "greeting", "name": "Greeting", "version": 1,
  "nodes": [
    { "id": "greet", "kind": "tool", "tool": "text.template",
      "inputs": { "template": "Hello {{input.name}}" } },
    { "id": "shout", "kind": "tool", "tool": "json.transform",
      "inputs": { "data": "{{nodes.greet.output}}", "expression": "$uppercase(text)" },
      "retry": { "max": 2, "policy": "transient" }, "timeoutMs": 5000 },
    { "id": "long", "kind": "condition",
      "inputs": { "test": "{{nodes.shout.output.result}}" } },
    { "id": "pause", "kind": "tool", "tool": "util.wait", "inputs": { "ms": 10 } }
  ],
  "edges": [
    { "id": "e1", "source": "greet", "target": "shout" },
    { "id": "e2", "source": "shout", "target": "long" },
    { "id": "e3", "source": "long", "target": "pause", "branch": "true" }
  ]
}`;

export const designExample = (): Record<string, unknown> => JSON.parse(DESIGN_EXAMPLE_TEXT) as Record<string, unknown>;
