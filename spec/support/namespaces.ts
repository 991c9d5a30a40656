/** Makes a fresh Redis namespace per call (`prefix1`, `prefix2`, ...), so tests never see each other's state. */
export function namespaces(prefix: string): () => string {
  let count = 0;
  return () => {
    count += 1;
    return `${prefix}${count}`;
  };
}
