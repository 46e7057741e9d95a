import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store/store-context';
import { FolderIcon, RefreshIcon } from '../common/icons';

/** No usable model: how to point Tandem at .gguf files. */
export function NoModels() {
  const dataDir = useAppStore((s) => s.appInfo?.dataDir ?? null);
  const mode = useAppStore((s) => s.appInfo?.mode ?? null);
  const broken = useAppStore(useShallow((s) => s.models.filter((model) => model.problem !== null)));
  const loading = useAppStore((s) => s.modelsStatus === 'loading');
  const loadModels = useAppStore((s) => s.loadModels);
  const separator = dataDir?.includes('\\') ? '\\' : '/';
  const modelsFolder = dataDir ? `${dataDir}${separator}models` : null;

  return (
    <div className="empty-state no-models">
      <div className="empty-state__icon" aria-hidden="true">
        <FolderIcon width={28} height={28} />
      </div>
      <h2 className="empty-state__title">No models found</h2>
      <p className="empty-state__text">
        Tandem runs GGUF model files on this computer. Give it one of these ways, then rescan:
      </p>
      <ol className="steps">
        <li>
          Copy <code>.gguf</code> files into the data folder’s models folder
          {modelsFolder ? (
            <>
              : <code className="path">{modelsFolder}</code>
            </>
          ) : (
            '.'
          )}
        </li>
        <li>
          Or start Tandem with a folder of models:{' '}
          <code className="path">tandem --models-dir /path/to/models {mode === 'serve' ? 'serve' : ''}</code>
        </li>
      </ol>
      {broken.length > 0 && (
        <div className="problem-list">
          <h3>Files found that can’t be used</h3>
          <ul>
            {broken.map((model) => (
              <li key={model.id}>
                <code>{model.name}</code> — {model.problem}
              </li>
            ))}
          </ul>
        </div>
      )}
      <button type="button" className="button button--primary" disabled={loading} onClick={() => void loadModels({ refresh: true })}>
        <RefreshIcon />
        {loading ? 'Scanning…' : 'Rescan models'}
      </button>
    </div>
  );
}
