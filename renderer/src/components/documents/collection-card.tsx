import { useEffect, useId, useState } from 'react';
import type { Collection } from '../../../../shared/ipc/routes/documents';
import { downloadFile } from '../../lib/download-file';
import { formatCount, formatTime } from '../../lib/format';
import { useAppStore } from '../../store/store-context';
import { ConfirmDialog } from '../common/confirm-dialog';
import { MenuButton } from '../common/menu-button';
import { FailureList, IndexProgressView } from './index-progress';

const STATE_BADGE: Record<Collection['state'], { label: string; className: string }> = {
  idle: { label: 'Ready', className: 'badge--loaded' },
  indexing: { label: 'Indexing', className: 'badge--streaming' },
  error: { label: 'Error', className: 'badge--error' },
};

/** One collection: where it reads from, what is in it, its indexing job, and what can be done with it. */
export function CollectionCard({ collection }: { collection: Collection }) {
  const job = useAppStore((s) => s.indexJobs[collection.id]);
  const inventoryFailures = useAppStore((s) => s.inventoryFailures[collection.id]);
  const loadInventoryFailures = useAppStore((s) => s.loadInventoryFailures);
  const reindex = useAppStore((s) => s.reindexCollection);
  const cancel = useAppStore((s) => s.cancelIndexing);
  const remove = useAppStore((s) => s.removeCollection);
  const exportInventory = useAppStore((s) => s.exportInventory);
  const [confirming, setConfirming] = useState(false);
  const titleId = useId();
  const running = collection.state === 'indexing' || job?.state === 'scanning' || job?.state === 'indexing';
  const badge = running ? STATE_BADGE.indexing : STATE_BADGE[collection.state];

  // A job from an earlier run of the app is gone; the inventory still knows which files failed.
  const needsInventory = !job && collection.failed > 0;
  useEffect(() => {
    if (needsInventory) void loadInventoryFailures(collection.id);
  }, [needsInventory, collection.id, collection.failed, loadInventoryFailures]);
  const failures = job ? job.failures : (inventoryFailures ?? []);

  const exportAs = async (format: 'json' | 'markdown') => {
    const file = await exportInventory(collection.id, format);
    if (file) downloadFile(file);
  };

  return (
    <article className="panel collection" aria-labelledby={titleId}>
      <header className="collection__header">
        <div className="collection__heading">
          <h3 id={titleId} className="collection__name">
            {collection.name}
          </h3>
          <span className={`badge ${badge.className}`}>{badge.label}</span>
          {collection.watching && <span className="badge" title="Changed files are re-indexed as they change">Watching</span>}
        </div>
        <div className="collection__actions">
          {running ? (
            <button type="button" className="button button--small" onClick={() => void cancel(collection.id)}>
              Cancel indexing
            </button>
          ) : (
            <button type="button" className="button button--small" onClick={() => void reindex(collection.id)}>
              Re-index
            </button>
          )}
          <MenuButton
            label="Export inventory"
            className="button button--small"
            icon={<span aria-hidden="true">Export inventory</span>}
            items={[
              { label: 'Export as JSON', onSelect: () => void exportAs('json') },
              { label: 'Export as Markdown', onSelect: () => void exportAs('markdown') },
            ]}
          />
          <button type="button" className="button button--small" onClick={() => setConfirming(true)}>
            Remove
          </button>
        </div>
      </header>

      <ul className="collection__sources" aria-label="Sources">
        {collection.sources.map((source) => (
          <li key={source.path} className="collection__source">
            <code title={source.path}>{source.path}</code>
            <span className="muted">{source.kind === 'folder' ? 'folder' : 'file'}</span>
            {source.localOnly && (
              <span className="badge badge--local" title="This content never goes to a cloud model">
                local only
              </span>
            )}
          </li>
        ))}
      </ul>

      <dl className="collection__counts">
        <div>
          <dt>Files</dt>
          <dd>{formatCount(collection.files)}</dd>
        </div>
        <div>
          <dt>Chunks</dt>
          <dd>{formatCount(collection.chunks)}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd className={collection.failed > 0 ? 'collection__failed' : undefined}>{formatCount(collection.failed)}</dd>
        </div>
        <div>
          <dt>Search</dt>
          <dd title={collection.embedder ? `${collection.embedder.dimensions} dimensions` : undefined}>
            {collection.embedder ? `Keyword + semantic (${collection.embedder.modelId})` : 'Keyword only'}
          </dd>
        </div>
        <div>
          <dt>Reranker</dt>
          <dd>
            <RerankerSelect collection={collection} />
          </dd>
        </div>
        <div>
          <dt>Last indexed</dt>
          <dd>{collection.lastIndexedAt ? formatTime(collection.lastIndexedAt) : '—'}</dd>
        </div>
      </dl>

      {job && <IndexProgressView job={job} />}
      <FailureList failures={failures} />

      <ConfirmDialog
        open={confirming}
        title={`Remove ${collection.name}?`}
        confirmLabel="Remove"
        danger
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          void remove(collection.id);
        }}
      >
        <p className="dialog__wrap">
          The collection’s index is deleted. Your files stay where they are; chats that answer from it stop using it.
        </p>
      </ConfirmDialog>
    </article>
  );
}

/**
 * The collection's reranking model: "None", or a model of the models folders
 * (rerankers first: their names say "rerank"). The top candidates of every
 * search are reordered by it.
 */
function RerankerSelect({ collection }: { collection: Collection }) {
  const models = useAppStore((s) => s.models);
  const modelsStatus = useAppStore((s) => s.modelsStatus);
  const loadModels = useAppStore((s) => s.loadModels);
  const setReranker = useAppStore((s) => s.setCollectionReranker);
  useEffect(() => {
    if (modelsStatus === 'idle') void loadModels();
  }, [modelsStatus, loadModels]);
  const current = collection.reranker?.modelId ?? '';
  const usable = models.filter((m) => m.problem === null);
  const ordered = [...usable.filter((m) => /rerank/i.test(m.name)), ...usable.filter((m) => !/rerank/i.test(m.name))];
  const known = current === '' || ordered.some((m) => m.id === current);
  return (
    <select
      className="input"
      aria-label={`Reranker for ${collection.name}`}
      title="A reranking model (such as bge-reranker) reorders the top 30 results of every search"
      value={current}
      onChange={(event) => void setReranker(collection.id, event.target.value === '' ? null : event.target.value)}
    >
      <option value="">None</option>
      {!known && <option value={current}>{current} (missing)</option>}
      {ordered.map((m) => (
        <option key={m.id} value={m.id}>
          {m.name}
        </option>
      ))}
    </select>
  );
}
