import { diffWordsWithSpace } from 'diff';

/** Words the refiner added and removed, counted. */
export function countChanges(before: string, after: string): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const change of diffWordsWithSpace(before, after)) {
    const words = change.value.trim() ? change.value.trim().split(/\s+/).length : 0;
    if (change.added) added += words;
    else if (change.removed) removed += words;
  }
  return { added, removed };
}
