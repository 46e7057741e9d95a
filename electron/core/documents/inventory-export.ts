import type { Collection, InventoryFile } from '../../../shared/ipc/routes/documents';
import type { FileEntry } from './collection-store';

export function inventoryRows(files: readonly FileEntry[]): InventoryFile[] {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ path: f.path, type: f.type, sizeBytes: Math.round(f.sizeBytes), hash: f.hash, chunks: f.chunks, indexedAt: f.indexedAt, localOnly: f.localOnly, error: f.error }));
}

/** `<collection>-inventory.json|md`: the registry as data, or a summary a person reads. */
export function exportInventory(collection: Collection, rows: readonly InventoryFile[], format: 'json' | 'markdown') {
  const base = collection.name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || collection.id;
  if (format === 'json') {
    return {
      filename: `${base}-inventory.json`,
      mimeType: 'application/json',
      content: `${JSON.stringify({ collection: { id: collection.id, name: collection.name, sources: collection.sources, embedder: collection.embedder, lastIndexedAt: collection.lastIndexedAt }, files: rows }, null, 2)}\n`,
    };
  }
  const indexed = rows.filter((r) => !r.error);
  const failed = rows.filter((r) => r.error);
  const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const lines = [
    `# ${collection.name} — inventory`,
    '',
    `- Sources: ${collection.sources.map((s) => `${s.path}${s.localOnly ? ' (local only)' : ''}`).join(', ')}`,
    `- Embedding model: ${collection.embedder ? `${collection.embedder.modelId} (${collection.embedder.dimensions} dimensions)` : 'none (keyword search only)'}`,
    `- Files indexed: ${indexed.length}, chunks: ${indexed.reduce((n, r) => n + r.chunks, 0)}, failed: ${failed.length}`,
    `- Last indexed: ${collection.lastIndexedAt ?? 'never'}`,
    '',
    '## Files',
    '',
    '| Path | Type | Size | Chunks | SHA-256 |',
    '| --- | --- | ---: | ---: | --- |',
    ...indexed.map((r) => `| ${cell(r.path)} | ${r.type ?? '-'} | ${r.sizeBytes} | ${r.chunks} | ${r.hash.slice(0, 12)} |`),
  ];
  if (failed.length > 0) {
    lines.push('', '## Not indexed', '', '| Path | Code | Reason |', '| --- | --- | --- |');
    lines.push(...failed.map((r) => `| ${cell(r.path)} | ${r.error!.code} | ${cell(r.error!.reason)} |`));
  }
  return { filename: `${base}-inventory.md`, mimeType: 'text/markdown', content: `${lines.join('\n')}\n` };
}
