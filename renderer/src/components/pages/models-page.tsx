import { useEffect, useState } from 'react';
import type { LocalModel } from '../../../../shared/ipc/domain';
import { formatBytes, formatCount, formatParameters } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../common/confirm-dialog';
import { RefreshIcon } from '../common/icons';
import { NoticeList } from '../chat/notice-list';
import { CatalogPanel } from './catalog-panel';
import { DownloadsPanel } from './downloads-panel';
import { HardwarePanel } from './hardware-panel';
import { LoadOptionsButton } from './load-options-dialog';
import { ModelFoldersPanel } from './model-folders-panel';
import { RuntimePanel } from '../models/runtime-panel';

function LoadState({ model }: { model: LocalModel }) {
  const status = useAppStore((s) => s.loadedModels[model.id]);
  const load = useAppStore((s) => s.loadLocalModel);
  const unload = useAppStore((s) => s.unloadLocalModel);
  const cancel = useAppStore((s) => s.cancelLocalLoad);

  if (model.problem !== null) return <span className="badge badge--error">Can’t be used</span>;
  if (status?.state === 'loading') {
    return (
      <div className="model-row__actions">
        <span className="badge badge--streaming" role="status">
          Loading…
        </span>
        <button type="button" className="button button--small" aria-label={`Cancel loading ${model.name}`} onClick={() => void cancel(model.id)}>
          Cancel
        </button>
      </div>
    );
  }
  if (status?.state === 'loaded') {
    return (
      <div className="model-row__actions">
        <span className="badge badge--loaded" role="status" title={status.contextSize ? `Context ${formatCount(status.contextSize)} tokens` : undefined}>
          Loaded{status.memoryBytes ? ` · ${formatBytes(status.memoryBytes)}` : ''}
        </span>
        <button type="button" className="button button--small" aria-label={`Unload ${model.name}`} onClick={() => void unload(model.id)}>
          Unload
        </button>
      </div>
    );
  }
  return (
    <div className="model-row__actions">
      {status?.state === 'error' && <span className="badge badge--error" title={status.error ?? undefined}>Failed</span>}
      <button type="button" className="button button--small button--primary" aria-label={`Load ${model.name}`} onClick={() => void load(model.id)}>
        Load
      </button>
    </div>
  );
}

function RemoveModel({ model }: { model: LocalModel }) {
  const removeLocalModel = useAppStore((s) => s.removeLocalModel);
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <button type="button" className="button button--small" aria-label={`Remove ${model.name}`} onClick={() => setConfirming(true)}>
        Remove
      </button>
      <ConfirmDialog
        open={confirming}
        title={`Remove ${model.name}?`}
        confirmLabel="Remove"
        danger
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          void removeLocalModel(model.id);
        }}
      >
        <p className="dialog__wrap">
          The file <code>{model.path}</code> ({formatBytes(model.sizeBytes)}) is deleted from the models folder. It is unloaded first if it is loaded.
        </p>
      </ConfirmDialog>
    </>
  );
}

function ModelRow({ model }: { model: LocalModel }) {
  const entry = useAppStore((s) => s.modelDetails[model.id]);
  const details = entry?.status === 'ready' ? entry.details : null;
  const fit = details?.fit;

  return (
    <tr aria-label={model.name}>
      <th scope="row">
        <div className="model-row__name">{model.name}</div>
        <code className="model-row__path" title={model.path}>
          {model.path}
        </code>
        {model.problem && <div className="model-row__problem">{model.problem}</div>}
        {entry?.status === 'error' && <div className="model-row__problem">Could not inspect: {entry.error}</div>}
      </th>
      <td>{model.architecture ?? '—'}</td>
      <td>{details ? formatParameters(details.parameterCount) : '—'}</td>
      <td>{details?.quantization ?? '—'}</td>
      <td>{formatBytes(model.sizeBytes)}</td>
      <td>{details?.trainedContextLength ? String(details.trainedContextLength) : '—'}</td>
      <td>
        {details ? (
          <>
            <div>{details.chatWrapper ?? (details.hasChatTemplate ? 'Template' : 'None')}</div>
            <div className="muted">
              {details.embeddingOnly ? 'Embeddings only' : details.toolCalling ? 'Tool calling' : 'No native tools'}
            </div>
          </>
        ) : (
          '—'
        )}
      </td>
      <td>
        {fit ? (
          <>
            <div className={fit.fits ? 'fit fit--ok' : 'fit fit--no'}>{fit.fits ? 'Fits' : 'Does not fit'}</div>
            <div className="muted">
              RAM {formatBytes(fit.ramBytes)} · VRAM {formatBytes(fit.vramBytes)}
            </div>
            <div className="muted">
              GPU layers {fit.gpuLayers}/{fit.totalLayers} · ctx {formatCount(fit.contextSize)}
            </div>
          </>
        ) : (
          '—'
        )}
      </td>
      <td>
        <div className="model-row__status">
          <LoadState model={model} />
          {model.problem === null && <LoadOptionsButton model={model} />}
          <RemoveModel model={model} />
        </div>
      </td>
    </tr>
  );
}

/** Every GGUF found, what is in it, whether it fits, and loading it ahead of a chat. */
export function ModelsPage() {
  const models = useAppStore((s) => s.models);
  const modelsStatus = useAppStore((s) => s.modelsStatus);
  const loadLibrary = useAppStore((s) => s.loadLibrary);
  const loadModels = useAppStore((s) => s.loadModels);

  useEffect(() => {
    if (modelsStatus === 'ready') void loadLibrary();
  }, [modelsStatus, models, loadLibrary]);

  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">Models</h1>
        <button type="button" className="button" onClick={() => void loadModels({ refresh: true })}>
          <RefreshIcon />
          Rescan folders
        </button>
      </header>
      <NoticeList />
      <div className="page__body">
        <HardwarePanel />
        <RuntimePanel />
        <DownloadsPanel />
        <section className="panel" aria-labelledby="local-models-title">
          <h2 id="local-models-title" className="panel__title">
            Local models
          </h2>
          {models.length === 0 ? (
            <p className="muted">{modelsStatus === 'ready' ? 'No .gguf files in the models folders.' : 'Looking for models…'}</p>
          ) : (
            <div className="table-scroll">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Model</th>
                    <th scope="col">Architecture</th>
                    <th scope="col">Parameters</th>
                    <th scope="col">Quantization</th>
                    <th scope="col">Size</th>
                    <th scope="col">Context</th>
                    <th scope="col">Chat template</th>
                    <th scope="col">Fit here</th>
                    <th scope="col">Status</th>
                  </tr>
                </thead>
                <tbody>
                  {models.map((model) => (
                    <ModelRow key={model.id} model={model} />
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <ModelFoldersPanel />
        <CatalogPanel />
      </div>
    </div>
  );
}
