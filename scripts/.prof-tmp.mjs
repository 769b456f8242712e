import fs from 'node:fs';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(p.nodes.map(n => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const maps = new Map();
const mapFor = (url) => { if (!maps.has(url)) { try { maps.set(url, new TraceMap(fs.readFileSync(new URL(url).pathname + '.map', 'utf8'))); } catch { maps.set(url, null); } } return maps.get(url); };
const label = new Map();
function lab(id) {
  if (label.has(id)) return label.get(id);
  const cf = byId.get(id).callFrame;
  let l;
  if (cf.url.includes('/dist/cli/')) {
    const m = mapFor(cf.url);
    const o = m && originalPositionFor(m, { line: cf.lineNumber + 1, column: cf.columnNumber });
    const s = o?.source ?? cf.url;
    const r = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s);
    l = r ? r[1] : s.replace(/^.*?src\//, 'src/');
    if (l.endsWith('chunk-DIF5LOQ2.js')) l = null;
  } else if (cf.url.startsWith('file://')) { const r = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(cf.url); l = r ? r[1] : cf.url; }
  else l = null;
  label.set(id, l); return l;
}
const self = new Map();
p.samples.forEach((s, i) => {
  const t = p.timeDeltas[i] ?? 0;
  let cur = s, l = null;
  while (cur !== undefined && !(l = lab(cur))) cur = parent.get(cur);
  if (!l) { const cf = byId.get(s).callFrame; l = '~' + (cf.url || cf.functionName); }
  self.set(l, (self.get(l) ?? 0) + t);
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
console.log('total ms', (total / 1000).toFixed(1));
for (const [u, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, +process.argv[3] || 30)) console.log((t / 1000).toFixed(1).padStart(8), u);
