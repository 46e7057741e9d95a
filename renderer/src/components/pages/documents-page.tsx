import { useId } from 'react';
import { useAppStore } from '../../store/store-context';
import { NoticeList } from '../chat/notice-list';
import { RefreshIcon } from '../common/icons';
import { AddCollectionForm } from '../documents/add-collection-form';
import { CollectionCard } from '../documents/collection-card';
import { DocumentSearch } from '../documents/document-search';

/** Document collections: add folders, watch them index, search them, and open what was found. */
export function DocumentsPage() {
  const collections = useAppStore((s) => s.collections);
  const status = useAppStore((s) => s.collectionsStatus);
  const loadCollections = useAppStore((s) => s.loadCollections);
  const titleId = useId();

  return (
    <div className="page">
      <header className="page__header">
        <h1 className="page__title">Documents</h1>
        <button type="button" className="button" onClick={() => void loadCollections()}>
          <RefreshIcon />
          Refresh
        </button>
      </header>
      <NoticeList />
      <div className="page__body">
        <section className="page__section" aria-labelledby={titleId}>
          <h2 id={titleId} className="panel__title">
            Collections
          </h2>
          {collections.length === 0 && (
            <p className="muted">
              {status === 'ready' || status === 'error'
                ? 'No collections yet. Add a folder below; chats can then answer from it, with sources.'
                : 'Loading…'}
            </p>
          )}
          {collections.map((collection) => (
            <CollectionCard key={collection.id} collection={collection} />
          ))}
        </section>
        {collections.length > 0 && <DocumentSearch />}
        <AddCollectionForm />
      </div>
    </div>
  );
}
