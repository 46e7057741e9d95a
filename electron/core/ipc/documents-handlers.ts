import { CodedError } from '../../../shared/ipc/errors';
import type { Handlers } from './handlers';

type DocumentRoute = Extract<keyof Handlers, `collections.${string}` | `documents.${string}`>;

const notYet = () => {
  throw new CodedError('UNSUPPORTED', 'Documents are not available in this build yet');
};

/** Placeholder until the documents service lands: every route answers UNSUPPORTED. */
export function createDocumentHandlers(): Pick<Handlers, DocumentRoute> {
  return {
    'collections.list': () => [],
    'collections.add': notYet,
    'collections.remove': notYet,
    'collections.reindex': notYet,
    'collections.cancelIndex': notYet,
    'collections.job': notYet,
    'collections.inventory': notYet,
    'collections.export': notYet,
    'documents.search': notYet,
    'documents.view': notYet,
    'documents.openExternal': notYet,
  };
}
