import { useRef, useState, type FormEvent } from 'react';
import type { SoupImportResult } from '../../store/soup-slice';
import { useAppStore } from '../../store/store-context';
import { Field } from '../common/field';
import { plural } from './soup-format';

/** The contract's limit on one import. */
const MAX_JSON_CHARS = 5_000_000;

const EXAMPLE = `[
  {
    "id": "my-puzzle",
    "title": "My puzzle",
    "difficulty": "easy",
    "surface": "What the player hears…",
    "hidden": "What really happened…",
    "keyFacts": ["fact one", "fact two", "fact three"],
    "hints": ["first hint", "second hint"],
    "questions": [{ "question": "Was it an accident?", "answer": "no" }, …]
  }
]`;

/** "Add puzzles": JSON from a file or pasted, one puzzle or an array; bad ones are listed by their place in it. */
export function SoupImport() {
  const importSoupPuzzles = useAppStore((s) => s.importSoupPuzzles);
  const [json, setJson] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<SoupImportResult | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!json.trim()) {
      setError('Choose a JSON file or paste the puzzles.');
      return;
    }
    if (json.length > MAX_JSON_CHARS) {
      setError('That is too much at once (at most 5 MB).');
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const imported = await importSoupPuzzles(json);
      setResult(imported);
      if (imported.errors.length === 0) {
        setJson('');
        if (fileInput.current) fileInput.current.value = '';
      }
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <details className="soup-import panel">
      <summary className="soup-import__summary">Add puzzles</summary>
      <form className="soup-import__form" aria-label="Add puzzles" onSubmit={(event) => void submit(event)}>
        <p className="muted soup-import__help">
          One puzzle or an array of them, as JSON: an id (lower-case letters, digits and dashes), a title, a difficulty (easy, medium or hard), the
          surface, the hidden story, 3–6 key facts, 1–3 hints and at least 8 questions with their answers (yes, no, irrelevant or yes-and-no).
        </p>
        <pre className="soup-import__example" aria-label="Example">
          {EXAMPLE}
        </pre>
        <Field label="JSON file">
          <input
            ref={fileInput}
            type="file"
            className="input input--file soup-import__file"
            accept=".json,application/json"
            onChange={(event) => {
              const file = event.target.files?.[0];
              setError(null);
              setResult(null);
              if (file) void file.text().then(setJson, () => setError('Could not read that file.'));
            }}
          />
        </Field>
        <Field label="Puzzle JSON" hint="Or paste it here.">
          <textarea
            className="input input--multiline input--mono soup-import__text"
            rows={6}
            spellCheck={false}
            value={json}
            onChange={(event) => {
              setJson(event.target.value);
              setError(null);
            }}
          />
        </Field>
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={busy}>
            {busy ? 'Importing…' : 'Import puzzles'}
          </button>
        </div>
        {error && (
          <p className="form__error" role="alert">
            {error}
          </p>
        )}
        {result && (
          <div className="soup-import__result">
            <p role="status" className={result.added.length > 0 ? 'soup-import__done' : 'soup-import__none'}>
              {result.added.length > 0 ? `Added ${plural(result.added.length, 'puzzle')}` : 'No puzzles added'}
              {result.errors.length > 0 ? `; ${plural(result.errors.length, 'problem')}:` : '.'}
            </p>
            {result.errors.length > 0 && (
              <ul className="soup-import__errors" aria-label="Import errors">
                {result.errors.map((problem, i) => (
                  <li key={`${problem.index}-${i}`}>
                    <span className="soup-import__index">Puzzle {problem.index + 1}</span> {problem.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
      </form>
    </details>
  );
}
