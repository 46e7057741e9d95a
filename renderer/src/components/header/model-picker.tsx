import { useMemo } from 'react';
import { formatBytes } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { CubeIcon } from '../common/icons';

/**
 * Which model answers: every .gguf found (unusable files shown disabled and
 * why), then each configured provider's models as `PROVIDER/MODEL`.
 */
export function ModelPicker() {
  const models = useAppStore((s) => s.models);
  const cloudModels = useAppStore((s) => s.cloudModels);
  const cloud = useMemo(() => Object.entries(cloudModels).filter(([, list]) => list.length > 0), [cloudModels]);
  const selectedModelId = useAppStore((s) => s.selectedModelId);
  const selectModel = useAppStore((s) => s.selectModel);
  const selected = models.find((model) => model.id === selectedModelId);
  const selectedCloud = cloud.some(([, list]) => list.some((m) => m.id === selectedModelId));
  const hasAny = models.length > 0 || cloud.length > 0;

  return (
    <div className="model-picker" title={selected ? `${selected.path} · ${formatBytes(selected.sizeBytes)}` : (selectedModelId ?? undefined)}>
      <CubeIcon className="model-picker__icon" />
      <label htmlFor="model-select" className="sr-only">
        Model
      </label>
      <select
        id="model-select"
        className="model-picker__select"
        value={selectedModelId ?? ''}
        disabled={!hasAny}
        onChange={(event) => selectModel(event.target.value)}
      >
        {!selected && !selectedCloud && (
          <option value="" disabled>
            {!hasAny ? 'No models found' : models.some((m) => m.problem === null) || cloud.length ? 'Choose a model' : 'No usable models'}
          </option>
        )}
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
  );
}
