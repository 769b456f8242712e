/**
 * JSON from model replies: parsing text that models often wrap in Markdown fences, and
 * checking it against a JSON Schema with ajv, with problems phrased by field.
 */
import { Ajv } from 'ajv';

/** Parses a model's JSON reply; tolerates a surrounding ```json fence. Throws SyntaxError. */
export function parseJsonReply(text: string | null): unknown {
  if (text === null || !text.trim()) throw new SyntaxError('the reply is empty');
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n?([\s\S]*?)\n?```$/i.exec(trimmed);
  return JSON.parse(fenced ? fenced[1] : trimmed);
}

export interface SchemaCheck {
  ok: boolean;
  /** One line per problem, naming the field: `/title: must be string`. */
  problems: string[];
}

let ajv: Ajv | undefined;

/**
 * Validates `value` against a JSON Schema (draft-07 or 2020-12 style; the `$schema`
 * marker is ignored so both compile). Throws a plain Error when the schema itself is invalid.
 */
export function checkJsonSchema(schema: Record<string, unknown>, value: unknown): SchemaCheck {
  // One instance: ajv caches compiled schemas by content.
  ajv ??= new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const { $schema: _ignored, ...rest } = schema;
  const validate = ajv.compile(rest);
  if (validate(value)) return { ok: true, problems: [] };
  const problems = (validate.errors ?? []).map((e) => {
    const field = e.instancePath || '(root)';
    const extra =
      e.keyword === 'required' ? ` (${String((e.params as { missingProperty?: string }).missingProperty)})` : e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
    return `${field}: ${e.message ?? e.keyword}${extra}`;
  });
  return { ok: false, problems };
}
