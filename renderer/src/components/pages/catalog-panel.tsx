import { useEffect, useId, useState } from 'react';
import type { CatalogItem } from '../../../../shared/ipc/routes/downloads';
import { formatBytes, formatParameters } from '../../lib/format';
import { useAppStore } from '../../store/store-context';

function CatalogRow({ item }: { item: CatalogItem }) {
  const startDownload = useAppStore((s) => s.startDownload);
  const { fit } = item;
  return (
    <tr aria-label={item.name}>
      <th scope="row">
        <div className="model-row__name">{item.name}</div>
        {item.description && <div className="muted catalog__description">{item.description}</div>}
      </th>
      <td>{item.kind === 'chat' ? 'Chat' : 'Embedding'}</td>
      <td>{formatParameters(item.parameters)}</td>
      <td>{item.quantization || '—'}</td>
      <td>{formatBytes(item.sizeBytes)}</td>
      <td>{item.license || '—'}</td>
      <td>
        <div className={fit.fits ? 'fit fit--ok' : 'fit fit--no'}>{fit.fits ? 'Fits' : 'Does not fit'}</div>
        <div className="muted">
          Needs {formatBytes(fit.requiredBytes)} of {formatBytes(fit.availableBytes)} free
        </div>
      </td>
      <td>
        {item.installed ? (
          <span className="badge badge--loaded">Installed</span>
        ) : (
          <button
            type="button"
            className="button button--small button--primary"
            aria-label={`Download ${item.name}`}
            onClick={() => void startDownload({ catalogId: item.id })}
          >
            Download
          </button>
        )}
      </td>
    </tr>
  );
}

/** Recommended models with a fit estimate, and downloading any GGUF by `hf:` URI or URL. */
export function CatalogPanel() {
  const catalog = useAppStore((s) => s.catalog);
  const catalogStatus = useAppStore((s) => s.catalogStatus);
  const catalogError = useAppStore((s) => s.catalogError);
  const loadCatalog = useAppStore((s) => s.loadCatalog);
  const startDownload = useAppStore((s) => s.startDownload);
  const startError = useAppStore((s) => s.downloadStartError);
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const errorId = useId();

  useEffect(() => {
    if (catalogStatus === 'idle') void loadCatalog();
  }, [catalogStatus, loadCatalog]);

  const submit = async () => {
    const uri = url.trim();
    if (!uri) return;
    setBusy(true);
    const ok = await startDownload({ uri });
    setBusy(false);
    if (ok) setUrl('');
  };

  return (
    <section className="panel" aria-labelledby="catalog-title">
      <h2 id="catalog-title" className="panel__title">
        Catalog
      </h2>
      <form
        className="download-url"
        aria-label="Download from URL"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <h3 className="download-url__title">Download from URL</h3>
        <label htmlFor={inputId} className="download-url__label">
          Model URL
        </label>
        <div className="download-url__row">
          <input
            id={inputId}
            className="input"
            placeholder="hf:user/repo:Q4_K_M or https://…/model.gguf"
            value={url}
            spellCheck={false}
            aria-invalid={startError ? true : undefined}
            aria-describedby={startError ? errorId : undefined}
            onChange={(event) => setUrl(event.target.value)}
          />
          <button type="submit" className="button button--primary" disabled={busy || url.trim() === ''}>
            Download
          </button>
        </div>
        {startError && (
          <p id={errorId} className="form__error" role="alert">
            {startError}
          </p>
        )}
      </form>
      {catalogStatus === 'error' ? (
        <p className="form__error">Could not load the catalog: {catalogError}</p>
      ) : catalog.length === 0 ? (
        <p className="muted">{catalogStatus === 'ready' ? 'The catalog is empty.' : 'Loading the catalog…'}</p>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-label="Catalog models">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Kind</th>
                <th scope="col">Parameters</th>
                <th scope="col">Quantization</th>
                <th scope="col">Size</th>
                <th scope="col">License</th>
                <th scope="col">Fit here</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {catalog.map((item) => (
                <CatalogRow key={item.id} item={item} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
