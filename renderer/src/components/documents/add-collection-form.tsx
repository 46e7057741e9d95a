import { useId, useState, type DragEvent } from 'react';
import { baseName } from '../../lib/document-location';
import { useAppStore } from '../../store/store-context';

/** Paths of files and folders dropped on the window: the desktop bridge knows them, a browser never tells. */
function droppedPaths(event: DragEvent): string[] {
  const pathForFile = window.tandem?.pathForFile;
  if (!pathForFile) return [];
  return [...event.dataTransfer.files].map((file) => pathForFile(file)).filter((path) => path.length > 0);
}

/**
 * Adds folders or files to a collection (new, or existing by name) and
 * starts indexing them. A typed path always works; in the desktop window
 * "Browse…" opens the system folder picker, and folders or files can be
 * dropped on the form. In serve mode a browser does not tell where a dropped
 * file lives, so the typed path stays the way.
 */
export function AddCollectionForm() {
  const addCollection = useAppStore((s) => s.addCollection);
  const pickFolders = useAppStore((s) => s.pickFolders);
  const desktop = useAppStore((s) => s.appInfo?.mode === 'desktop');
  const documentSettings = useAppStore((s) => s.settings?.documents ?? null);
  const updateSettings = useAppStore((s) => s.updateSettings);
  /** The OCR switch as clicked, until the saved settings come back. */
  const [ocrChoice, setOcrChoice] = useState<boolean | null>(null);
  const [path, setPath] = useState('');
  /** Further folders or files picked or dropped with the one in the field. */
  const [morePaths, setMorePaths] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
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

  const takePaths = (paths: string[]) => {
    const [first, ...rest] = paths;
    if (!first) return;
    setPath(first);
    setMorePaths(rest);
    setError(null);
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const paths = droppedPaths(event);
    if (paths.length > 0) takePaths(paths);
    else if (event.dataTransfer.files.length > 0) {
      setError('The browser does not say where dropped files live; type the folder’s path instead (dropping works in the desktop app).');
    }
  };

  return (
    <section
      className={`panel add-collection-panel${dragging ? ' add-collection-panel--dragging' : ''}`}
      aria-labelledby={titleId}
      onDragOver={(event) => {
        if (![...event.dataTransfer.types].includes('Files')) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDragging(true);
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={onDrop}
    >
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
          const problem = await addCollection({ name: effectiveName, paths: [path.trim(), ...morePaths], localOnly });
          setBusy(false);
          if (problem) {
            setError(problem);
            return;
          }
          setPath('');
          setMorePaths([]);
          setName('');
          setNameEdited(false);
          setLocalOnly(false);
        }}
      >
        <div className="add-collection__path-row">
          <label className="field add-collection__path">
            <span className="field__label">Folder or file path</span>
            <input
              className="input"
              value={path}
              placeholder="/home/me/Documents/reports"
              spellCheck={false}
              aria-invalid={error !== null}
              aria-describedby={error ? errorId : undefined}
              onChange={(event) => {
                setPath(event.target.value);
                setMorePaths([]);
              }}
            />
          </label>
          {desktop && (
            <button
              type="button"
              className="button add-collection__browse"
              disabled={busy}
              onClick={async () => {
                const picked = await pickFolders();
                if (picked) takePaths(picked);
              }}
            >
              Browse…
            </button>
          )}
        </div>
        {morePaths.length > 0 && (
          <p className="field__hint add-collection__more" aria-live="polite">
            And {morePaths.length} more: {morePaths.map(baseName).join(', ')}
          </p>
        )}
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
        {documentSettings && (
          <div className="add-collection__row">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={ocrChoice ?? documentSettings.ocr.enabled}
                onChange={async (event) => {
                  const enabled = event.target.checked;
                  setOcrChoice(enabled);
                  await updateSettings({ documents: { ...documentSettings, ocr: { ...documentSettings.ocr, enabled } } });
                  setOcrChoice(null);
                }}
              />
              Read scanned pages and images (OCR)
            </label>
            <span className="field__hint">For every collection, from its next indexing; slower than text. Languages: {documentSettings.ocr.languages.join(', ')}.</span>
          </div>
        )}
        {error && (
          <p id={errorId} className="form__error" role="alert">
            {error}
          </p>
        )}
        <p className="field__hint add-collection__hint">
          An existing collection’s name adds the folder to it. Folders are read recursively; .gitignore files are honoured.
          {desktop ? ' You can also drop folders or files here.' : ''}
        </p>
      </form>
    </section>
  );
}
