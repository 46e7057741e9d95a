import type { Citation } from '../../../shared/ipc/routes/documents';
import { sourcesSystemText } from '../documents/retrieval';
import { estimatePromptTokens } from '../providers/token-estimate';
import { finishWith, joinSystem, type PipelineContext, type ResolvedStep, type TurnBase } from './pipeline';
import { runStep } from './step-runner';
import { CONDENSE_SYSTEM, condenseMessages, verifyMarkers } from './strategy-prompts';
import { extractiveCondense, groundedShare, GROUNDED_SHARE } from './grounding';

/** Retrieved sources as the condense strategy needs them. */
export interface CondenseSources {
  citations: Citation[];
  /** The plain system text (all sources): what would be sent without condensing, and the fallback. */
  systemText: string;
  /** One `[n] label — quote` line per source. */
  sources: string[];
  /** Local-only chunks kept from a cloud model (counted, never sent). */
  withheldLocalOnly: number;
}

/** The condensed text may take at most this share of the sources' tokens (a longer one is of no use). */
const CONDENSE_SHARE = 0.75;
const CONDENSE_MIN_TOKENS = 48;
const CONDENSE_MAX_TOKENS = 2048;

const tokensOf = (systemText: string) => estimatePromptTokens([{ role: 'system', text: systemText }]);

/**
 * Condense: a (local) model rewrites the retrieved sources to what answers
 * the question, keeping their [n] markers (invented ones are removed); the
 * answer model gets that instead of the sources. A condensation that failed,
 * kept no marker, is mostly the model's own words (not copied from the
 * sources) or is no shorter is replaced by Tandem's extractive one (the
 * sentences that share the most words with the question), and when that is
 * no shorter either, by the plain sources — which never hold what was
 * withheld for a cloud model. Without sources the answer model answers alone.
 */
export async function runCondense(
  context: PipelineContext,
  base: TurnBase,
  sources: CondenseSources | null,
  condense: ResolvedStep,
  answer: ResolvedStep,
): Promise<void> {
  const { emit, signal, isCloud } = context;
  let contextText: string | undefined;
  let step = 0;
  if (sources && sources.sources.length > 0) {
    const retrievedTokens = tokensOf(sources.systemText);
    const sourceTokens = estimatePromptTokens([{ role: 'user', text: sources.sources.join('\n') }]);
    const maxTokens = Math.min(CONDENSE_MAX_TOKENS, Math.max(CONDENSE_MIN_TOKENS, Math.ceil(sourceTokens * CONDENSE_SHARE)));
    const condensed = await runStep(
      {
        step: step++,
        role: 'condense',
        label: 'Condense',
        modelId: condense.modelId,
        model: condense.model,
        request: { systemPrompt: CONDENSE_SYSTEM, messages: condenseMessages(base.question, sources.sources), temperature: 0, maxTokens },
        cloud: isCloud(condense.modelId),
      },
      emit,
      signal,
      { emitEnd: false },
    );
    if (condensed.cancelled) {
      emit({ type: 'step-end', record: condensed.record });
      emit({ type: 'finish', reason: 'cancelled' });
      return;
    }
    const verified = verifyMarkers(condensed.text, new Set(sources.citations.map((c) => c.n)));
    // A condensation must copy facts under their markers: text mostly of the model's own words is not used.
    const grounded = verified.kept.length > 0 && groundedShare(verified.text, sources.sources.join('\n')) >= GROUNDED_SHARE;
    const modelText = grounded ? sourcesSystemText(verified.text) : '';
    const modelShorter = modelText !== '' && tokensOf(modelText) < retrievedTokens;
    let kept = verified.text;
    let why: string | null = null;
    if (condensed.error || !modelShorter) {
      why = condensed.error
        ? 'the model failed'
        : verified.text === ''
          ? 'the model kept nothing'
          : !grounded
            ? "the model's text was not copied from the sources"
            : "the model's text was no shorter than the sources";
      // Tandem's own condensation: the sentences that share the most words with the question, under their markers.
      kept = extractiveCondense(base.question, sources.sources);
    }
    const fallbackText = kept ? sourcesSystemText(kept) : '';
    contextText = fallbackText !== '' && tokensOf(fallbackText) < retrievedTokens ? fallbackText : sources.systemText;
    const usedSources = contextText === sources.systemText;
    const record = {
      ...condensed.record,
      text: usedSources ? sources.sources.join('\n') : kept,
      label: why === null ? 'Condense' : usedSources ? `Condense (${why}; the answer uses the full sources)` : `Condense (${why}; the most relevant sentences were kept instead)`,
    };
    emit({ type: 'step-end', record });
    emit({ type: 'condensed', retrievedTokens, sentTokens: tokensOf(contextText), localOnlyWithheld: sources.withheldLocalOnly });
  } else if (sources && sources.withheldLocalOnly > 0) {
    // Only local-only chunks matched, and the answer goes to a cloud model: it answers without sources.
    emit({ type: 'condensed', retrievedTokens: 0, sentTokens: 0, localOnlyWithheld: sources.withheldLocalOnly });
  }
  const answered = await runStep(
    {
      step,
      role: 'answer',
      label: 'Answer',
      modelId: answer.modelId,
      model: answer.model,
      request: { ...base.request, systemPrompt: joinSystem(base.request.systemPrompt, contextText), messages: base.conversation },
      cloud: isCloud(answer.modelId),
      final: true,
    },
    emit,
    signal,
  );
  finishWith(context, answered);
}
