import { useState } from 'react';
import type { LocalModel } from '../../../../shared/ipc/domain';
import type { LoadOptions } from '../../../../shared/ipc/routes/models';
import { useAppStore } from '../../store/store-context';
import { Dialog } from '../common/dialog';

type Key = 'gpuLayers' | 'contextSize' | 'threads' | 'batchSize';

const FIELDS: { key: Key; label: string; min: number; hint: string }[] = [
  { key: 'gpuLayers', label: 'GPU layers', min: 0, hint: '0 keeps the model on the CPU.' },
  { key: 'contextSize', label: 'Context size', min: 64, hint: 'Tokens the model sees at once.' },
  { key: 'threads', label: 'Threads', min: 1, hint: 'Threads for generating tokens.' },
  { key: 'batchSize', label: 'Batch size', min: 1, hint: 'Tokens processed per batch of the prompt.' },
];

function initialText(value: LoadOptions[Key]): string {
  return typeof value === 'number' ? String(value) : '';
}

/** Loads one model with chosen options; the backend remembers them for this model (a chat loading it uses them too). */
export function LoadOptionsButton({ model }: { model: LocalModel }) {
  const saved = useAppStore((s) => s.settings?.modelLoadOptions?.[model.id]);
  const load = useAppStore((s) => s.loadLocalModel);
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<Key, string>>({ gpuLayers: '', contextSize: '', threads: '', batchSize: '' });

  const show = () => {
    setValues({
      gpuLayers: initialText(saved?.gpuLayers),
      contextSize: initialText(saved?.contextSize),
      threads: initialText(saved?.threads),
      batchSize: initialText(saved?.batchSize),
    });
    setOpen(true);
  };

  const invalid = FIELDS.some(({ key, min }) => values[key].trim() !== '' && !(Number.isInteger(Number(values[key])) && Number(values[key]) >= min));

  return (
    <>
      <button type="button" className="button button--small" aria-label={`Load options for ${model.name}`} onClick={show}>
        Load options
      </button>
      <Dialog open={open} title={`Load ${model.name} with options`} onClose={() => setOpen(false)}>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (invalid) return;
            const options: LoadOptions = {};
            for (const { key } of FIELDS) {
              const text = values[key].trim();
              options[key] = text === '' ? 'auto' : Number(text);
            }
            setOpen(false);
            void load(model.id, options);
          }}
        >
          <div className="dialog__body form">
            {FIELDS.map(({ key, label, min, hint }) => (
              <label key={key} className="field">
                <span className="field__label">{label}</span>
                <input
                  className="input"
                  inputMode="numeric"
                  value={values[key]}
                  placeholder="auto"
                  aria-invalid={values[key].trim() !== '' && !(Number.isInteger(Number(values[key])) && Number(values[key]) >= min)}
                  onChange={(event) => setValues((v) => ({ ...v, [key]: event.target.value }))}
                />
                <span className="field__hint">{hint} Empty is auto.</span>
              </label>
            ))}
          </div>
          <div className="dialog__actions">
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className="button button--primary" disabled={invalid}>
              Load
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
