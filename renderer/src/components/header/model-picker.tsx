import { formatBytes } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { CubeIcon } from '../common/icons';

/** Which model answers: every .gguf found, with unusable files shown disabled and why. */
export function ModelPicker() {
  const models = useAppStore((s) => s.models);
  const selectedModelId = useAppStore((s) => s.selectedModelId);
  const selectModel = useAppStore((s) => s.selectModel);
  const selected = models.find((model) => model.id === selectedModelId);

  return (
    <div className="model-picker" title={selected ? `${selected.path} · ${formatBytes(selected.sizeBytes)}` : undefined}>
      <CubeIcon className="model-picker__icon" />
      <label htmlFor="model-select" className="sr-only">
        Model
      </label>
      <select
        id="model-select"
        className="model-picker__select"
        value={selectedModelId ?? ''}
        disabled={models.length === 0}
        onChange={(event) => selectModel(event.target.value)}
      >
        {!selected && (
          <option value="" disabled>
            {models.length === 0 ? 'No models found' : models.some((m) => m.problem === null) ? 'Choose a model' : 'No usable models'}
          </option>
        )}
        {models.map((model) => (
          <option key={model.id} value={model.id} disabled={model.problem !== null}>
            {model.problem === null ? model.name : `${model.name} — can't be used: ${model.problem}`}
          </option>
        ))}
      </select>
      {selected && <span className="model-picker__meta">{formatBytes(selected.sizeBytes)}</span>}
    </div>
  );
}
