import { useId, useState } from 'react';
import { baseName } from '../../lib/document-location';
import { useAppStore } from '../../store/store-context';

/**
 * Adds a folder or a file to a collection (new, or existing by name) and
 * starts indexing it. A typed path: a browser in serve mode has no native
 * folder picker, and the desktop bridge offers none either.
 */
export function AddCollectionForm() {
  const addCollection = useAppStore((s) => s.addCollection);
  const [path, setPath] = useState('');
  const [name, setName] = useState('');
  const [nameEdited, setNameEdited] = useState(false);
  const [localOnly, setLocalOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const titleId = useId();
  const errorId = useId();

  const suggestedName = baseName(path.trim()) || '';
  const effectiveName = (nameEdited ? name : suggestedName).trim();
  const canAdd = path.trim().length > 0 && effectiveName.length > 0 && !busy;

  return (
    <section className="panel" aria-labelledby={titleId}>
      <h2 id={titleId} className="panel__title">
        Add a folder
      </h2>
      <form
        className="add-collection"
        aria-labelledby={titleId}
        onSubmit={async (event) => {
          event.preventDefault();
          if (!canAdd) return;
          setBusy(true);
          setError(null);
          const problem = await addCollection({ name: effectiveName, paths: [path.trim()], localOnly });
          setBusy(false);
          if (problem) {
            setError(problem);
            return;
          }
          setPath('');
          setName('');
          setNameEdited(false);
          setLocalOnly(false);
        }}
      >
        <label className="field add-collection__path">
          <span className="field__label">Folder or file path</span>
          <input
            className="input"
            value={path}
            placeholder="/home/me/Documents/reports"
            spellCheck={false}
            aria-invalid={error !== null}
            aria-describedby={error ? errorId : undefined}
            onChange={(event) => setPath(event.target.value)}
          />
        </label>
        <label className="field add-collection__name">
          <span className="field__label">Collection name</span>
          <input
            className="input"
            value={nameEdited ? name : suggestedName}
            placeholder="Named after the folder"
            maxLength={200}
            onChange={(event) => {
              setNameEdited(true);
              setName(event.target.value);
            }}
          />
        </label>
        <div className="add-collection__row">
          <label className="checkbox">
            <input type="checkbox" checked={localOnly} onChange={(event) => setLocalOnly(event.target.checked)} />
            Local only
          </label>
          <span className="field__hint">Local-only content is never sent to a cloud model.</span>
          <button type="submit" className="button button--primary" disabled={!canAdd}>
            {busy ? 'Adding…' : 'Add folder'}
          </button>
        </div>
        {error && (
          <p id={errorId} className="form__error" role="alert">
            {error}
          </p>
        )}
        <p className="field__hint add-collection__hint">
          An existing collection’s name adds the folder to it. Folders are read recursively; .gitignore files are honoured.
        </p>
      </form>
    </section>
  );
}
