import { useMemo } from 'react';
import { AUTO_MODEL_ID, type RoutingPriority } from '../../../../shared/ipc/routes/routing';
import { formatBytes } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { CubeIcon } from '../common/icons';

export const PRIORITIES: { value: RoutingPriority; label: string }[] = [
  { value: 'balanced', label: 'Balanced' },
  { value: 'speed', label: 'Speed' },
  { value: 'cost', label: 'Cost' },
  { value: 'quality', label: 'Quality' },
  { value: 'privacy', label: 'Privacy' },
];

/** What Auto optimises for in the open chat (or the next new one); shown only while the model is Auto. */
function PriorityPicker() {
  const activeChatId = useAppStore((s) => s.activeChatId);
  const chatPriority = useAppStore((s) => (s.activeChatId ? s.chats.find((c) => c.id === s.activeChatId)?.settings?.priority : s.newChatPriority));
  const defaultPriority = useAppStore((s) => s.settings?.routing.defaultPriority ?? 'balanced');
  const setChatPriority = useAppStore((s) => s.setChatPriority);
  return (
    <div className="model-picker__priority">
      <label htmlFor="priority-select" className="sr-only">
        Priority
      </label>
      <select
        id="priority-select"
        className="model-picker__priority-select"
        title="What Auto optimises for in this chat"
        value={chatPriority ?? defaultPriority}
        onChange={(event) => void setChatPriority(activeChatId, event.target.value as RoutingPriority)}
      >
        {PRIORITIES.map(({ value, label }) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * Which model answers: Auto first (Tandem picks per request), every .gguf found
 * (unusable files shown disabled and why), then each configured provider's
 * models as `PROVIDER/MODEL`.
 */
export function ModelPicker() {
  const models = useAppStore((s) => s.models);
  const cloudModels = useAppStore((s) => s.cloudModels);
  const cloud = useMemo(() => Object.entries(cloudModels).filter(([, list]) => list.length > 0), [cloudModels]);
  const selectedModelId = useAppStore((s) => s.selectedModelId);
  const selectModel = useAppStore((s) => s.selectModel);
  const selected = models.find((model) => model.id === selectedModelId);
  const selectedCloud = cloud.some(([, list]) => list.some((m) => m.id === selectedModelId));
  const isAuto = selectedModelId === AUTO_MODEL_ID;
  const hasAny = models.length > 0 || cloud.length > 0;
  const canAuto = models.some((m) => m.problem === null) || cloud.length > 0;

  return (
    <div className="model-picker-group">
      <div
        className="model-picker"
        title={selected ? `${selected.path} · ${formatBytes(selected.sizeBytes)}` : isAuto ? 'Tandem picks a model for each request' : (selectedModelId ?? undefined)}
      >
        <CubeIcon className="model-picker__icon" />
        <label htmlFor="model-select" className="sr-only">
          Model
        </label>
        <select
          id="model-select"
          className={`model-picker__select${isAuto ? ' model-picker__select--auto' : ''}`}
          value={selectedModelId ?? ''}
          disabled={!hasAny}
          onChange={(event) => selectModel(event.target.value)}
        >
          {!selected && !selectedCloud && !isAuto && (
            <option value="" disabled>
              {!hasAny ? 'No models found' : canAuto ? 'Choose a model' : 'No usable models'}
            </option>
          )}
          {canAuto && <option value={AUTO_MODEL_ID}>Auto — Tandem picks per request</option>}
          {cloud.length > 0 ? (
            <optgroup label="On this computer">
              {models.map((model) => (
                <option key={model.id} value={model.id} disabled={model.problem !== null}>
                  {model.problem === null ? model.name : `${model.name} — can't be used: ${model.problem}`}
                </option>
              ))}
            </optgroup>
          ) : (
            models.map((model) => (
              <option key={model.id} value={model.id} disabled={model.problem !== null}>
                {model.problem === null ? model.name : `${model.name} — can't be used: ${model.problem}`}
              </option>
            ))
          )}
          {cloud.map(([provider, list]) => (
            <optgroup key={provider} label={provider}>
              {list.map((model) => (
                <option key={model.id} value={model.id}>
                  {model.id}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        {selected && <span className="model-picker__meta">{formatBytes(selected.sizeBytes)}</span>}
      </div>
      {isAuto && <PriorityPicker />}
    </div>
  );
}
