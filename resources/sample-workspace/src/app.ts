// A small service entry point to review.
import { createServer } from 'node:http';

const port = Number(process.env.PORT) || 8080;

export function greet(name: string): string {
  // TODO: escape the name before putting it into HTML
  return `<h1>Hello ${name}</h1>`;
}

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  res.end(greet(url.searchParams.get('name') ?? 'world'));
}).listen(port);
