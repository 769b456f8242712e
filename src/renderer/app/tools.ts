/** The tool catalog (`tools.list`), fetched once and refreshed when MCP servers change. */
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';
import type { ToolInfo } from '../../contract';
import { errorMessage, getAwe } from '../api/client';

interface ToolsState {
  tools: ToolInfo[] | null;
  byName: Map<string, ToolInfo>;
  error: string | null;
  refresh(): Promise<void>;
}

export const toolsStore = createStore<ToolsState>()((set) => ({
  tools: null,
  byName: new Map(),
  error: null,
  async refresh() {
    try {
      const { tools } = await getAwe().toolsList({});
      set({ tools, byName: new Map(tools.map((t) => [t.name, t])), error: null });
    } catch (e) {
      set({ error: errorMessage(e) });
    }
  },
}));

export const useTools = <T,>(selector: (s: ToolsState) => T): T => useStore(toolsStore, selector);
