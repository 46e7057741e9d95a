import type { LabService } from '../lab/lab-service';
import type { Handlers } from './handlers';

type LabRoute =
  | 'lab.sets.list'
  | 'lab.sets.get'
  | 'lab.sets.import'
  | 'lab.sets.export'
  | 'lab.sets.delete'
  | 'lab.estimate'
  | 'lab.run'
  | 'lab.runs.list'
  | 'lab.runs.get'
  | 'lab.runs.export';

/** The benchmark lab: task sets, runs, results. */
export function createLabHandlers(lab: LabService): Pick<Handlers, LabRoute> {
  return {
    'lab.sets.list': () => lab.listSets(),
    'lab.sets.get': ({ setId }) => lab.getSet(setId),
    'lab.sets.import': ({ name, jsonl }) => lab.importSet(name, jsonl),
    'lab.sets.export': ({ setId }) => lab.exportSet(setId),
    'lab.sets.delete': async ({ setId }) => {
      await lab.deleteSet(setId);
      return { deleted: true as const };
    },
    'lab.estimate': (input) => lab.estimate(input),
    'lab.run': async (input) => {
      const started = await lab.startRun(input);
      return {
        info: started.info,
        run: async (emit, signal) => {
          await started.run(emit, signal);
        },
      };
    },
    'lab.runs.list': () => lab.listRuns(),
    'lab.runs.get': ({ runId }) => lab.getRun(runId),
    'lab.runs.export': ({ runId, format }) => lab.exportRun(runId, format),
  };
}
