import type { LanguageModel } from '../models/language-model';
import type { LocalRuntime } from '../models/local-runtime';
import type { RouteContext, RoutingService } from '../routing/routing-service';

export interface LabServiceOptions {
  /** The lab's folder (task sets and runs) in the data dir. */
  dir: string;
  resolveModel: (modelId: string, context: RouteContext) => Promise<LanguageModel>;
  /** Whether a model id is a cloud model (`PROVIDER/MODEL`). */
  isCloud: (modelId: string) => boolean;
  runtime: LocalRuntime;
  routing: RoutingService;
  onChanged: () => void;
}

/** The benchmark lab: task sets (JSONL), runs of models × tasks × N, graders, results as outcomes. */
export class LabService {
  constructor(readonly options: LabServiceOptions) {}
}
