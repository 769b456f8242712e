import { describe, expect, it } from 'vitest';
import { commandHash, commandLine, McpConfigError, parseMcpConfig, shellQuote } from './config';

const error = (text: string) => {
  try {
    parseMcpConfig(text, 'claude.json');
  } catch (err) {
    expect(err).toBeInstanceOf(McpConfigError);
    return (err as Error).message;
  }
  throw new Error('expected the config to be refused');
};

describe('parseMcpConfig', () => {
  it('reads the Claude Desktop format: stdio commands and URLs', () => {
    const cfg = parseMcpConfig(
      JSON.stringify({
        mcpServers: {
          files: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: { DEBUG: '1' } },
          remote: { url: 'https://mcp.example.com/mcp' },
          bare: { command: 'my-server' },
        },
      }),
    );
    expect(cfg.mcpServers.files).toEqual({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'], env: { DEBUG: '1' } });
    expect(cfg.mcpServers.remote).toEqual({ url: 'https://mcp.example.com/mcp' });
    expect(cfg.mcpServers.bare).toEqual({ command: 'my-server', args: [] });
  });

  it('says when the text is not JSON or has no mcpServers', () => {
    expect(error('{ nope')).toMatch(/^claude\.json is not valid JSON/);
    expect(error('{"servers": {}}')).toContain('"mcpServers" object');
    expect(error('[]')).toContain('"mcpServers" object');
  });

  it('names the server and the field at fault', () => {
    expect(error('{"mcpServers": {"files": {"command": "npx", "args": "-y"}}}')).toMatch(/server 'files': field "args" should be a list, not a text/);
    expect(error('{"mcpServers": {"files": {"command": ""}}}')).toContain(`server 'files': field "command"`);
    expect(error('{"mcpServers": {"web": {"url": "not a url"}}}')).toContain(`server 'web': field "url"`);
    expect(error('{"mcpServers": {"x": {"args": []}}}')).toContain(`server 'x' needs a "command" to run or a "url"`);
    expect(error('{"mcpServers": {"x": 3}}')).toContain(`server 'x' must be an object`);
    expect(error('{"mcpServers": {"my.server": {"command": "a"}}}')).toContain(`server 'my.server': the name may only use`);
  });
});

describe('commandLine', () => {
  it('renders the command verbatim with shell quoting, environment and folder', () => {
    expect(commandLine({ command: 'npx', args: ['-y', '@scope/pkg', '/Users/me/My Docs', "it's"] })).toBe(
      `npx -y @scope/pkg '/Users/me/My Docs' 'it'\\''s'`,
    );
    expect(commandLine({ command: '/usr/bin/node', args: ['s.js'], env: { TOKEN: 'a b' }, cwd: '/srv' })).toBe(`cd /srv && TOKEN='a b' /usr/bin/node s.js`);
    expect(commandLine({ url: 'https://mcp.example.com/mcp' })).toBe('https://mcp.example.com/mcp');
    expect(shellQuote('')).toBe(`''`);
    expect(shellQuote('$(rm -rf ~)')).toBe(`'$(rm -rf ~)'`);
  });

  it('gives a different approval key when anything that runs changes', () => {
    const base = { command: 'node', args: ['server.js'] };
    expect(commandHash(base)).toBe(commandHash({ command: 'node', args: ['server.js'] }));
    expect(commandHash(base)).not.toBe(commandHash({ command: 'node', args: ['server.js', '--evil'] }));
    expect(commandHash(base)).not.toBe(commandHash({ ...base, env: { NODE_OPTIONS: '--require /tmp/x.js' } }));
  });
});
