import { useEffect, useState } from 'react';
import { AUTO_MODEL_ID } from '../../../../shared/ipc/routes/routing';
import { formatCost, formatCount } from '../../lib/format';
import type { PromptEstimate as Estimate } from '../../store/routing-slice';
import { useAppStore } from '../../store/store-context';

const DEBOUNCE_MS = 250;

/** "N tokens · ~$X" (or free / local) for the draft and the selected model; for Auto, with the model it would pick now. */
export function PromptEstimate() {
  const draft = useAppStore((s) => s.draft);
  const modelId = useAppStore((s) => s.selectedModelId);
  const chatId = useAppStore((s) => s.activeChatId);
  const estimatePrompt = useAppStore((s) => s.estimatePrompt);
  const models = useAppStore((s) => s.models);
  const [estimate, setEstimate] = useState<Estimate | null>(null);
  const text = draft.trim();

  useEffect(() => {
    if (!text || !modelId) return;
    let current = true;
    const timer = setTimeout(() => {
      void estimatePrompt(text, modelId, chatId).then((value) => {
        if (current && value) setEstimate(value);
      });
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text, modelId, chatId, estimatePrompt]);

  // An estimate for older text stays up while the next one is on its way, so the line does not flicker.
  if (!text || !modelId || !estimate) return null;
  const value = estimate;
  const pick = value.modelId;
  const isLocal = pick !== null && models.some((m) => m.id === pick);
  const cost = isLocal ? 'local' : value.estimatedCostUsd === null ? 'price unknown' : value.estimatedCostUsd === 0 ? 'free' : `~${formatCost(value.estimatedCostUsd)}`;
  return (
    <p className="composer__estimate" title="Prompt tokens and the estimated cost of sending it">
      {formatCount(value.promptTokens)} tokens · {cost}
      {modelId === AUTO_MODEL_ID && <> · Auto would pick {pick ?? 'no model'}</>}
    </p>
  );
}
