import { finishWith, type PipelineContext, type ResolvedStep, type TurnBase } from './pipeline';
import { runStep } from './step-runner';
import { refineMessages } from './strategy-prompts';

/**
 * Draft and refine: the draft model answers (streamed as step 0), then the
 * refine model answers the conversation with the draft in front of it; the
 * refiner's answer is the turn's answer. A failed or empty draft leaves the
 * refiner to answer alone (its label says so); Stop during the draft stops
 * the turn before the refiner is asked.
 */
export async function runDraftRefine(context: PipelineContext, base: TurnBase, draft: ResolvedStep, refine: ResolvedStep): Promise<void> {
  const { emit, signal, isCloud } = context;
  const drafted = await runStep(
    {
      step: 0,
      role: 'draft',
      label: 'Draft',
      modelId: draft.modelId,
      model: draft.model,
      request: { ...base.request, messages: base.conversation },
      cloud: isCloud(draft.modelId),
    },
    emit,
    signal,
  );
  if (drafted.cancelled) {
    emit({ type: 'finish', reason: 'cancelled' });
    return;
  }
  const usable = !drafted.error && drafted.text.trim().length > 0;
  const label = usable ? 'Refine' : drafted.error ? 'Refine (the draft failed, so this answers alone)' : 'Refine (the draft was empty, so this answers alone)';
  const refined = await runStep(
    {
      step: 1,
      role: 'refine',
      label,
      modelId: refine.modelId,
      model: refine.model,
      request: { ...base.request, messages: usable ? refineMessages(base.conversation, drafted.text) : base.conversation },
      cloud: isCloud(refine.modelId),
      final: true,
    },
    emit,
    signal,
  );
  finishWith(context, refined);
}
