import { CodedError } from '../../../shared/ipc/errors';
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
  void lab;
  const todo = (): never => {
    throw new CodedError('UNSUPPORTED', 'not built yet');
  };
  return {
    'lab.sets.list': () => todo(),
    'lab.sets.get': () => todo(),
    'lab.sets.import': () => todo(),
    'lab.sets.export': () => todo(),
    'lab.sets.delete': () => todo(),
    'lab.estimate': () => todo(),
    'lab.run': async () => todo(),
    'lab.runs.list': () => todo(),
    'lab.runs.get': () => todo(),
    'lab.runs.export': () => todo(),
  };
}
