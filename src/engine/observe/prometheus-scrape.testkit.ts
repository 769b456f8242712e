/**
 * Reading a `/metrics` scrape in tests: parsed as Prometheus exposition with a parser, never
 * a regex, and the text kept for what the parser folds away.
 */
import parsePrometheusTextFormat, { type PromFamily } from 'parse-prometheus-text-format';
import { expect } from 'vitest';

export type Scrape = PromFamily[] & { text: string };

/** GETs `url` (200, text/plain) and parses it. */
export async function scrape(url: string, init?: RequestInit): Promise<Scrape> {
  const res = await fetch(url, init);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  return Object.assign(parsePrometheusTextFormat(text), { text });
}

/**
 * The parser folds the series of a labelled histogram into one (it keeps `buckets` only),
 * so their `_count` is read from the text it has already validated: the exact series line.
 */
export function histogramCount(families: Scrape, name: string, labels: Record<string, string>): number {
  expect(families.find((f) => f.name === name)?.type).toBe('HISTOGRAM');
  const series = `${name}_count{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}} `;
  const line = families.text.split('\n').find((l) => l.startsWith(series));
  return line ? Number(line.slice(series.length)) : 0;
}
