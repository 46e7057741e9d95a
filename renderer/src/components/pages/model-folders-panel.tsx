import { useEffect, useState } from 'react';
import type { ModelFolder } from '../../../../shared/ipc/routes/models';
import { useAppStore } from '../../store/store-context';

const SOURCE_LABEL: Record<ModelFolder['source'], string> = {
  'data-dir': 'Data folder',
  'command-line': 'Command line (this run)',
  settings: 'Added here',
};

/** The folders scanned for `.gguf` files, adding and removing folders, and importing one file. */
export function ModelFoldersPanel() {
  const folders = useAppStore((s) => s.modelFolders);
  const models = useAppStore((s) => s.models);
  const loadModelFolders = useAppStore((s) => s.loadModelFolders);
  const addModelFolder = useAppStore((s) => s.addModelFolder);
  const removeModelFolder = useAppStore((s) => s.removeModelFolder);
  const importModelFile = useAppStore((s) => s.importModelFile);
  const [folderPath, setFolderPath] = useState('');
  const [filePath, setFilePath] = useState('');
  const [busy, setBusy] = useState(false);

  // models.changed (another window, the CLI) reloads the models; the folders follow them
  useEffect(() => {
    void loadModelFolders();
  }, [models, loadModelFolders]);

  return (
    <section className="panel" aria-labelledby="model-folders-title">
      <h2 id="model-folders-title" className="panel__title">
        Model folders
      </h2>
      <ul className="folder-list" aria-label="Folders scanned for models">
        {folders.map((folder) => (
          <li key={folder.path} className="folder-list__item">
            <code className="folder-list__path" title={folder.path}>
              {folder.path}
            </code>
            <span className="muted">{SOURCE_LABEL[folder.source]}</span>
            {folder.source === 'settings' && (
              <button type="button" className="button button--small" aria-label={`Remove ${folder.path}`} onClick={() => void removeModelFolder(folder.path)}>
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <form
        className="folder-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!folderPath.trim() || busy) return;
          setBusy(true);
          void addModelFolder(folderPath.trim()).then((ok) => {
            setBusy(false);
            if (ok) setFolderPath('');
          });
        }}
      >
        <label className="field folder-form__field">
          <span className="field__label">Folder path</span>
          <input className="input" value={folderPath} placeholder="/path/to/models" onChange={(event) => setFolderPath(event.target.value)} />
        </label>
        <button type="submit" className="button" disabled={busy || !folderPath.trim()}>
          Add folder
        </button>
      </form>
      <form
        className="folder-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (!filePath.trim() || busy) return;
          setBusy(true);
          void importModelFile(filePath.trim()).then((ok) => {
            setBusy(false);
            if (ok) setFilePath('');
          });
        }}
      >
        <label className="field folder-form__field">
          <span className="field__label">Model file path</span>
          <input className="input" value={filePath} placeholder="/path/to/model.gguf" onChange={(event) => setFilePath(event.target.value)} />
          <span className="field__hint">The .gguf file is copied into the data folder’s models folder.</span>
        </label>
        <button type="submit" className="button" disabled={busy || !filePath.trim()}>
          Import
        </button>
      </form>
    </section>
  );
}
