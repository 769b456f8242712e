/**
 * What the editor holds beside the document: the open workflow's workspace folder, and
 * the questions it is asking the person (discard unsaved changes? replace or extend?
 * which run inputs? which name?). Each question is answered through a promise, so an
 * action reads top to bottom: `if (!(await ask(...))) return;`.
 */
import { createStore } from 'zustand/vanilla';
import type { WorkspaceInfo } from '../../contract';

export type PlanChoice = 'replace' | 'extend' | null;
export type NameMode = 'save-as' | 'duplicate' | 'rename';

export interface Question<T> {
  resolve(answer: T): void;
}

export interface SessionState {
  /** The workspace of the workflow on the canvas; null until the engine answered. */
  workspace: (WorkspaceInfo & { workflowId: string }) | null;
  workspaceDialog: boolean;
  /** Open while Run asks for the workflow's declared inputs. */
  runInputs: Question<Record<string, unknown> | null> | null;
  discard: (Question<boolean> & { action: string; name: string }) | null;
  planChoice: (Question<PlanChoice> & { goal: string; steps: number; name: string; dirty: boolean }) | null;
  naming: (Question<string | null> & { mode: NameMode; initial: string }) | null;
}

export interface SessionActions {
  setWorkspace(w: SessionState['workspace']): void;
  openWorkspaceDialog(open: boolean): void;
  askRunInputs(): Promise<Record<string, unknown> | null>;
  askDiscard(action: string, name: string): Promise<boolean>;
  askPlanChoice(goal: string, steps: number, name: string, dirty: boolean): Promise<PlanChoice>;
  askName(mode: NameMode, initial: string): Promise<string | null>;
}

export type SessionStore = ReturnType<typeof createSessionStore>;

export function createSessionStore() {
  return createStore<SessionState & SessionActions>()((set) => {
    /** Opens question `key`; answering it (or asking it again) closes it. */
    const ask = <K extends 'runInputs' | 'discard' | 'planChoice' | 'naming', T>(key: K, extra: object, cancelled: T): Promise<T> =>
      new Promise<T>((resolve) => {
        const question = {
          ...extra,
          resolve: (answer: T) => {
            set({ [key]: null } as Partial<SessionState>);
            resolve(answer);
          },
        };
        set((s) => {
          // A second question of the same kind cancels the first rather than leaving it hanging.
          (s[key] as Question<T> | null)?.resolve(cancelled);
          return { [key]: question } as Partial<SessionState>;
        });
      });
    return {
      workspace: null,
      workspaceDialog: false,
      runInputs: null,
      discard: null,
      planChoice: null,
      naming: null,
      setWorkspace: (workspace) => set({ workspace }),
      openWorkspaceDialog: (workspaceDialog) => set({ workspaceDialog }),
      askRunInputs: () => ask('runInputs', {}, null),
      askDiscard: (action, name) => ask('discard', { action, name }, false),
      askPlanChoice: (goal, steps, name, dirty) => ask('planChoice', { goal, steps, name, dirty }, null),
      askName: (mode, initial) => ask('naming', { mode, initial }, null),
    };
  });
}
