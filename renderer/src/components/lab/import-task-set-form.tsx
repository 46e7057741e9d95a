import { useId, useRef, useState, type FormEvent } from 'react';
import { formatCount } from '../../lib/format';
import type { LabImportResult } from '../../store/lab-slice';
import { useAppStore } from '../../store/store-context';
import { Field } from '../common/field';

/** The contract's limit on one import. */
const MAX_JSONL_CHARS = 50_000_000;

/** "math-basics.jsonl" → "math-basics". */
function nameOf(fileName: string): string {
  return fileName.replace(/\.(jsonl|ndjson|json|txt)$/i, '').trim();
}

/** Imports a task set from a JSONL file; reports the lines it skipped, each with its number and why. */
export function ImportTaskSetForm() {
  const importTaskSet = useAppStore((s) => s.importTaskSet);
  const [name, setName] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<LabImportResult | null>(null);
  // The name came from the file (so choosing another file may replace it).
  const nameFromFile = useRef(true);
  const fileInput = useRef<HTMLInputElement>(null);
  const titleId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) {
      setError('Choose a .jsonl file.');
      return;
    }
    if (!name.trim()) {
      setError('Give the task set a name.');
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const jsonl = await file.text();
      if (jsonl.length > MAX_JSONL_CHARS) throw new Error('The file is too large (at most 50 MB).');
      const imported = await importTaskSet(name.trim(), jsonl);
      setResult(imported);
      setName('');
      nameFromFile.current = true;
      setFile(null);
      if (fileInput.current) fileInput.current.value = '';
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel lab-import" aria-labelledby={titleId} onSubmit={(event) => void submit(event)}>
      <h2 id={titleId} className="panel__title">
        Import task set
      </h2>
      <div className="lab-import__fields">
        <Field label="JSONL file" hint="One task per line (see the format below).">
          <input
            ref={fileInput}
            type="file"
            className="input lab-import__file"
            accept=".jsonl,.ndjson,application/jsonl,application/x-ndjson"
            onChange={(event) => {
              const chosen = event.target.files?.[0] ?? null;
              setFile(chosen);
              setError(null);
              if (chosen && (nameFromFile.current || !name.trim())) {
                setName(nameOf(chosen.name));
                nameFromFile.current = true;
              }
            }}
          />
        </Field>
        <Field label="Name">
          <input
            type="text"
            className="input"
            value={name}
            maxLength={200}
            onChange={(event) => {
              setName(event.target.value);
              nameFromFile.current = event.target.value.trim() === '';
            }}
          />
        </Field>
        <button type="submit" className="button button--primary lab-import__submit" disabled={busy}>
          {busy ? 'Importing…' : 'Import task set'}
        </button>
      </div>
      {error && (
        <p className="form__error" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div className="lab-import__result">
          <p role="status" className="lab-import__done">
            Imported “{result.set.name}”: {formatCount(result.set.taskCount)} {result.set.taskCount === 1 ? 'task' : 'tasks'}
            {result.skipped.length > 0 ? `, ${formatCount(result.skipped.length)} ${result.skipped.length === 1 ? 'line' : 'lines'} skipped.` : '.'}
          </p>
          {result.skipped.length > 0 && (
            <ul className="lab-import__skipped" aria-label="Skipped lines">
              {result.skipped.map((skip) => (
                <li key={skip.line}>
                  <span className="lab-import__line">Line {skip.line}</span> {skip.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
