// What outlives one page: the videos picked in the library for a batch edit.

export const selection = new Set();

const listeners = new Set();
export function onSelectionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function toggleSelected(videoId, selected) {
  if (selected) selection.add(videoId);
  else selection.delete(videoId);
  for (const listener of listeners) listener(selection);
}

export function clearSelection() {
  selection.clear();
  for (const listener of listeners) listener(selection);
}
