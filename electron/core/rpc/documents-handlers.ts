import { CodedError } from '../../../shared/ipc/errors';
import type { DocumentService } from '../documents/document-service';
import type { Handlers } from './handlers';

type DocumentRoute = Extract<keyof Handlers, `collections.${string}` | `documents.${string}`>;

const unavailable = () => {
  throw new CodedError('UNSUPPORTED', 'Documents are not available in this build');
};

/**
 * Thin handlers: every documents route delegates to the DocumentService.
 * Without one (a router built for a test that has no documents) every route
 * but the list answers UNSUPPORTED; the composition root passes the service.
 */
export function createDocumentHandlers(documents?: DocumentService): Pick<Handlers, DocumentRoute> {
  if (!documents) {
    return {
      'collections.list': () => [],
      'collections.add': unavailable,
      'collections.remove': unavailable,
      'collections.reindex': unavailable,
      'collections.cancelIndex': unavailable,
      'collections.setReranker': unavailable,
      'collections.job': unavailable,
      'collections.inventory': unavailable,
      'collections.export': unavailable,
      'documents.search': unavailable,
      'documents.view': unavailable,
      'documents.openExternal': unavailable,
      'documents.pickFolder': unavailable,
    };
  }
  return {
    'collections.list': () => documents.list(),
    'collections.add': (input) => documents.add(input),
    'collections.remove': async ({ collectionId }) => {
      await documents.remove(collectionId);
      return { removed: true as const };
    },
    'collections.reindex': ({ collectionId }) => documents.reindex(collectionId),
    'collections.cancelIndex': ({ collectionId }) => documents.cancelIndex(collectionId),
    'collections.setReranker': ({ collectionId, modelId }) => documents.setReranker(collectionId, modelId),
    'collections.job': ({ collectionId }) => documents.job(collectionId),
    'collections.inventory': ({ collectionId }) => documents.inventory(collectionId),
    'collections.export': ({ collectionId, format }) => documents.export(collectionId, format),
    'documents.search': (input) => documents.search(input),
    'documents.view': ({ collectionId, path }) => documents.viewDocument(collectionId, path),
    'documents.openExternal': async ({ collectionId, path, page }) => {
      await documents.openExternal(collectionId, path, page);
      return { opened: true as const };
    },
    'documents.pickFolder': async () => ({ paths: await documents.pickFolder() }),
  };
}
