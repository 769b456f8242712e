import type { KindRun } from './types';

/** Tool, llm, agent and approval nodes: one call of their tool with their resolved inputs. */
export const callTool: KindRun = (ctx) => ctx.callTool(ctx.input);
