import type { RouteOutput } from '../../../shared/ipc/contract';
import type { Leaderboard, TaskTag } from '../../../shared/ipc/routes/compare';
import type { LabEstimate, LabRunPart, LabRunSummary, LabTask, TaskSetSummary } from '../../../shared/ipc/routes/lab';
import { describeError } from '../client/tandem-client-error';
import type { LoadStatus, SliceCreator } from './app-state';
import { applyLabParts, isLabRunActive, viewOf, type LabRunView } from './lab-run-view';

export type LabTab = 'sets' | 'runs' | 'leaderboard';
export type LabFile = RouteOutput<'lab.sets.export'>;
export type LabImportResult = RouteOutput<'lab.sets.import'>;

/** What the "New run" form holds; kept in the store so it survives switching tabs and pages. */
export interface LabRunForm {
  setId: string | null;
  modelIds: string[];
  runs: number;
  parallel: number;
}

export interface LabSlice {
  labTab: LabTab;
  labSets: TaskSetSummary[];
  labSetsStatus: LoadStatus;
  labSetsError: string | null;
  labRuns: LabRunSummary[];
  labRunsStatus: LoadStatus;
  /** The run this window started last (streaming, or ended). */
  labLive: LabRunView | null;
  /** A saved run reopened from the list; shown instead of `labLive` until closed or a run starts. */
  labOpened: LabRunView | null;
  /** Prompts of task sets whose results are shown (for the per-task details). */
  labSetTasks: Record<string, LabTask[]>;
  labForm: LabRunForm;
  leaderboardTag: TaskTag | null;
  leaderboard: Leaderboard | null;
  /** Counts per tag from the overall leaderboard (a tag's own answer may not carry them all). */
  leaderboardByTag: Partial<Record<TaskTag, number>>;
  leaderboardStatus: LoadStatus;
  leaderboardError: string | null;

  showLabTab(tab: LabTab): void;
  setLabForm(patch: Partial<LabRunForm>): void;
  loadLab(): Promise<void>;
  loadLabSets(): Promise<void>;
  loadLabRuns(): Promise<void>;
  /** Reloads what the Lab page shows after the backend said sets or runs changed. */
  receiveLabChanged(): void;
  /** Imports JSONL as a new task set; throws with a readable message when the backend refuses it. */
  importTaskSet(name: string, jsonl: string): Promise<LabImportResult>;
  exportTaskSet(setId: string): Promise<LabFile | null>;
  deleteTaskSet(setId: string): Promise<boolean>;
  /** What the form's run would cost; throws with a readable message. */
  estimateLabRun(): Promise<LabEstimate>;
  /** Starts the form's run and streams it into `labLive`; false (with a notice) when it could not start. */
  startLabRun(): Promise<boolean>;
  stopLabRun(): Promise<void>;
  /** Shows a saved run's results (the live one when it is that run). */
  openLabRun(runId: string): Promise<void>;
  /** Back from a reopened run to the one started here. */
  closeLabRun(): void;
  exportLabRun(runId: string, format: 'csv' | 'json'): Promise<LabFile | null>;
  loadLabSetTasks(setId: string): Promise<void>;
  setLeaderboardTag(tag: TaskTag | null): void;
  loadLeaderboard(): Promise<void>;
}

/** How long streamed parts wait to be applied together (a fast run sends several per call). */
const BATCH_MS = 50;

/** Collects a run's parts and hands them over together at most every BATCH_MS (timers only, so it runs anywhere). */
class PartBatcher {
  private parts: LabRunPart[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly apply: (parts: LabRunPart[]) => void) {}

  push(part: LabRunPart): void {
    this.parts.push(part);
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.parts.length === 0) return;
    const batch = this.parts;
    this.parts = [];
    this.apply(batch);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.parts = [];
  }
}

export const createLabSlice: SliceCreator<LabSlice> = (set, get, { client }) => {
  let setsTicket = 0;
  let runsTicket = 0;
  let boardTicket = 0;
  let openTicket = 0;
  // Each started run gets a number; a late part of an older run never lands in a newer one.
  let liveTicket = 0;

  const updateLive = (ticket: number, update: (run: LabRunView) => LabRunView) =>
    set((state) => (ticket === liveTicket && state.labLive ? { labLive: update(state.labLive) } : {}));

  return {
    labTab: 'sets',
    labSets: [],
    labSetsStatus: 'idle',
    labSetsError: null,
    labRuns: [],
    labRunsStatus: 'idle',
    labLive: null,
    labOpened: null,
    labSetTasks: {},
    labForm: { setId: null, modelIds: [], runs: 1, parallel: 2 },
    leaderboardTag: null,
    leaderboard: null,
    leaderboardByTag: {},
    leaderboardStatus: 'idle',
    leaderboardError: null,

    // The Leaderboard tab loads its table when it opens.
    showLabTab: (tab) => set({ labTab: tab }),

    setLabForm: (patch) => set((state) => ({ labForm: { ...state.labForm, ...patch } })),

    loadLab: async () => {
      await Promise.all([get().loadLabSets(), get().loadLabRuns(), get().leaderboardStatus !== 'idle' ? get().loadLeaderboard() : undefined]);
    },

    loadLabSets: async () => {
      const ticket = ++setsTicket;
      if (get().labSetsStatus !== 'ready') set({ labSetsStatus: 'loading' });
      try {
        const sets = await client.request('lab.sets.list', {});
        if (ticket !== setsTicket) return;
        const { labForm } = get();
        // The form's set: the one chosen while it still exists, else the first.
        const setId = labForm.setId && sets.some((s) => s.id === labForm.setId) ? labForm.setId : (sets[0]?.id ?? null);
        set({ labSets: sets, labSetsStatus: 'ready', labSetsError: null, labForm: { ...labForm, setId } });
      } catch (error) {
        if (ticket !== setsTicket) return;
        set({ labSetsStatus: 'error', labSetsError: describeError(error) });
      }
    },

    loadLabRuns: async () => {
      const ticket = ++runsTicket;
      if (get().labRunsStatus !== 'ready') set({ labRunsStatus: 'loading' });
      try {
        const runs = await client.request('lab.runs.list', {});
        if (ticket !== runsTicket) return;
        set({ labRuns: [...runs].sort((a, b) => b.startedAt.localeCompare(a.startedAt)), labRunsStatus: 'ready' });
      } catch {
        if (ticket !== runsTicket) return;
        set({ labRunsStatus: 'error' });
      }
    },

    receiveLabChanged: () => {
      if (get().page !== 'lab') return;
      void get().loadLabSets();
      void get().loadLabRuns();
      if (get().labTab === 'leaderboard') void get().loadLeaderboard();
    },

    importTaskSet: async (name, jsonl) => {
      let imported: LabImportResult;
      try {
        imported = await client.request('lab.sets.import', { name, jsonl });
      } catch (error) {
        throw new Error(describeError(error));
      }
      set((state) => ({
        labSets: [...state.labSets.filter((s) => s.id !== imported.set.id), imported.set],
        labForm: state.labForm.setId ? state.labForm : { ...state.labForm, setId: imported.set.id },
      }));
      void get().loadLabSets();
      return imported;
    },

    exportTaskSet: async (setId) => {
      try {
        return await client.request('lab.sets.export', { setId });
      } catch (error) {
        get().notify(`Could not export the task set: ${describeError(error)}`);
        return null;
      }
    },

    deleteTaskSet: async (setId) => {
      try {
        await client.request('lab.sets.delete', { setId });
      } catch (error) {
        get().notify(`Could not delete the task set: ${describeError(error)}`);
        return false;
      }
      set((state) => {
        const rest = state.labSets.filter((s) => s.id !== setId);
        return { labSets: rest, labForm: state.labForm.setId === setId ? { ...state.labForm, setId: rest[0]?.id ?? null } : state.labForm };
      });
      void get().loadLabSets();
      return true;
    },

    estimateLabRun: async () => {
      const { setId, modelIds, runs } = get().labForm;
      if (!setId) throw new Error('Choose a task set first.');
      if (modelIds.length === 0) throw new Error('Choose at least one model.');
      try {
        return await client.request('lab.estimate', { setId, modelIds, runs });
      } catch (error) {
        throw new Error(describeError(error));
      }
    },

    startLabRun: async () => {
      if (isLabRunActive(get().labLive)) {
        get().notify('A lab run is already going; stop it or wait for it to finish.');
        return false;
      }
      const { setId, modelIds, runs, parallel } = get().labForm;
      const taskSet = get().labSets.find((s) => s.id === setId);
      if (!setId || !taskSet || modelIds.length === 0) return false;
      const ticket = ++liveTicket;
      ++openTicket; // a reopened run still on its way must not cover this one
      set({
        labOpened: null,
        labLive: {
          runId: null,
          streamId: null,
          setId,
          setName: taskSet.name,
          modelIds: [...modelIds],
          runs,
          status: 'starting',
          progress: { done: 0, total: taskSet.taskCount * modelIds.length * runs, current: null },
          results: [],
          summary: null,
          stopping: false,
          error: null,
          startedAt: new Date().toISOString(),
        },
      });
      void get().loadLabSetTasks(setId);
      const batcher = new PartBatcher((parts) => updateLive(ticket, (run) => applyLabParts(run, parts)));
      try {
        await client.stream(
          'lab.run',
          { setId, modelIds, runs, parallel },
          {
            onStart: ({ streamId, info }) => {
              const stopping = ticket === liveTicket && (get().labLive?.stopping ?? false);
              updateLive(ticket, (run) => ({
                ...run,
                streamId,
                runId: info.runId,
                status: run.status === 'starting' ? 'running' : run.status,
                progress: { ...run.progress, total: info.total },
              }));
              // Stop was pressed before the backend answered.
              if (stopping) void client.cancel(streamId).catch(() => undefined);
            },
            onPart: (part) => batcher.push(part),
            onEnd: (end) => {
              batcher.flush();
              batcher.dispose();
              updateLive(ticket, (run) => ({
                ...run,
                streamId: null,
                stopping: false,
                status: run.summary?.status ?? (end.status === 'completed' ? 'done' : end.status === 'cancelled' ? 'cancelled' : 'error'),
                error: end.status === 'failed' ? (end.error?.message ?? 'The run stopped.') : null,
              }));
              void get().loadLabRuns();
            },
          },
        );
        return true;
      } catch (error) {
        batcher.dispose();
        updateLive(ticket, (run) => ({ ...run, status: 'error', error: describeError(error) }));
        get().notify(`Could not start the run: ${describeError(error)}`);
        return false;
      }
    },

    stopLabRun: async () => {
      const run = get().labLive;
      if (!run || !isLabRunActive(run) || run.stopping) return;
      const ticket = liveTicket;
      updateLive(ticket, (r) => ({ ...r, stopping: true }));
      if (!run.streamId) return; // onStart cancels it
      try {
        await client.cancel(run.streamId);
      } catch (error) {
        get().notify(`Could not stop the run: ${describeError(error)}`);
        updateLive(ticket, (r) => ({ ...r, stopping: false }));
      }
    },

    openLabRun: async (runId) => {
      const ticket = ++openTicket;
      // The run started here is shown live (it may still be streaming).
      if (get().labLive?.runId === runId) {
        set({ labOpened: null });
        return;
      }
      try {
        const run = await client.request('lab.runs.get', { runId });
        if (ticket !== openTicket) return;
        set({ labOpened: viewOf(run) });
        void get().loadLabSetTasks(run.setId);
      } catch (error) {
        if (ticket !== openTicket) return;
        get().notify(`Could not open the run: ${describeError(error)}`);
      }
    },

    closeLabRun: () => {
      ++openTicket;
      set({ labOpened: null });
    },

    exportLabRun: async (runId, format) => {
      try {
        return await client.request('lab.runs.export', { runId, format });
      } catch (error) {
        get().notify(`Could not export the results: ${describeError(error)}`);
        return null;
      }
    },

    loadLabSetTasks: async (setId) => {
      if (get().labSetTasks[setId]) return;
      try {
        const taskSet = await client.request('lab.sets.get', { setId });
        set((state) => ({ labSetTasks: { ...state.labSetTasks, [setId]: taskSet.tasks } }));
      } catch {
        // The details then show task ids without their prompts (the set may have been deleted).
      }
    },

    setLeaderboardTag: (tag) => {
      if (tag === get().leaderboardTag) return;
      set({ leaderboardTag: tag });
      void get().loadLeaderboard();
    },

    loadLeaderboard: async () => {
      const ticket = ++boardTicket;
      const tag = get().leaderboardTag;
      if (get().leaderboardStatus !== 'ready') set({ leaderboardStatus: 'loading' });
      try {
        const board = await client.request('compare.leaderboard', tag ? { tag } : {});
        if (ticket !== boardTicket) return;
        set((state) => ({
          leaderboard: board,
          leaderboardStatus: 'ready',
          leaderboardError: null,
          leaderboardByTag: tag === null ? board.byTag : { ...state.leaderboardByTag, ...board.byTag },
        }));
      } catch (error) {
        if (ticket !== boardTicket) return;
        set({ leaderboardStatus: 'error', leaderboardError: describeError(error) });
      }
    },
  };
};
