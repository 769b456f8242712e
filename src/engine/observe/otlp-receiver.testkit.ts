/**
 * An OTLP/HTTP receiver for tests, on 127.0.0.1: it keeps the spans the JSON exporter posts to
 * /v1/traces (each marked with the service that sent it), the request lines and headers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  events?: { name: string; attributes?: { key: string; value: Record<string, unknown> }[] }[];
  status?: { code?: number; message?: string };
  /** Added by the receiver: the service.name of the resource that sent it. */
  service?: string;
}

/** An OTLP/HTTP receiver: what the JSON exporter posts to /v1/traces. */
export async function startReceiver(): Promise<{ url: string; spans: OtlpSpan[]; paths: string[]; headers: Record<string, string | string[] | undefined>[]; close(): Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const paths: string[] = [];
  const headers: Record<string, string | string[] | undefined>[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      paths.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      headers.push(req.headers);
      const doc = JSON.parse(body) as { resourceSpans: { resource?: { attributes?: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of doc.resourceSpans) {
        const service = attr(rs.resource ?? {}, 'service.name');
        for (const ss of rs.scopeSpans) spans.push(...ss.spans.map((span) => ({ ...span, service: typeof service === 'string' ? service : undefined })));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, paths, headers, close: () => new Promise((r) => server.close(() => r())) };
}

export const attr = (s: { attributes?: OtlpSpan['attributes'] }, key: string): unknown => {
  const v = s.attributes?.find((a) => a.key === key)?.value;
  if (!v) return undefined;
  const raw = v.stringValue ?? v.intValue ?? v.boolValue ?? v.doubleValue;
  return typeof raw === 'string' && 'intValue' in v ? Number(raw) : raw;
};

/** The span tree as indented lines: name [key attributes]. */
export function printTree(spans: OtlpSpan[]): string {
  const children = new Map<string, OtlpSpan[]>();
  for (const s of spans) children.set(s.parentSpanId ?? '', [...(children.get(s.parentSpanId ?? '') ?? []), s]);
  const keys = ['awe.node.attempt', 'awe.node.status', 'awe.cache.hit', 'error.type', 'gen_ai.request.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'awe.run.status'];
  const lines: string[] = [];
  const walk = (s: OtlpSpan, depth: number) => {
    const shown = keys.filter((k) => attr(s, k) !== undefined).map((k) => `${k}=${String(attr(s, k))}`);
    const events = (s.events ?? []).filter((e) => e.name === 'awe.retry').map((e) => `event ${e.name} delay_ms=${String(attr(e, 'awe.retry.delay_ms'))}`);
    const ms = (Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6).toFixed(1);
    lines.push(`${'  '.repeat(depth)}${s.name}${s.service ? ` <${s.service}>` : ''} (${ms} ms)${shown.length ? ` [${shown.join(' ')}]` : ''}${events.length ? ` {${events.join('; ')}}` : ''}`);
    for (const c of (children.get(s.spanId) ?? []).sort((a, b) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano)))) walk(c, depth + 1);
  };
  for (const root of spans.filter((s) => !s.parentSpanId)) walk(root, 0);
  return lines.join('\n');
}
