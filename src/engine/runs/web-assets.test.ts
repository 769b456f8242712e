import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileInside, mimeForName } from './web-assets';

describe('web assets', () => {
  it('keeps every URL path inside its folder', () => {
    const root = resolve('/srv/ui');
    expect(fileInside(root, '/')).toBe(join(root, 'index.html'));
    expect(fileInside(root, '/assets/app.js')).toBe(join(root, 'assets/app.js'));
    expect(fileInside(root, '/../secret')).toBeUndefined();
    expect(fileInside(root, '/%2e%2e/%2e%2e/etc/passwd')).toBeUndefined();
    expect(fileInside(root, '/a%5c..%5c..%5cx')).toBeUndefined();
    expect(fileInside(root, '/a%00.js')).toBeUndefined();
    expect(fileInside(root, '/%E0%A4%A')).toBeUndefined();
  });

  it('names MIME types, with a charset only when serving text', () => {
    expect(mimeForName('report.md')).toBe('text/markdown');
    expect(mimeForName('index.html', { charset: true })).toBe('text/html; charset=utf-8');
    expect(mimeForName('logo.png', { charset: true })).toBe('image/png');
    expect(mimeForName('blob.bin')).toBe('application/octet-stream');
  });
});
