import DataLoader from 'dataloader';

/**
 * A per-request DataLoader that fetches many rows in one statement and hands each key its row (or null),
 * in the order the keys were asked for. Federation resolves references and nested fields one at a time;
 * this turns N of them into one `where key in (...)`.
 */
export function keyedLoader<K extends string | number, V>(
  fetch: (keys: readonly K[]) => Promise<readonly V[]>,
  keyOf: (value: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader<K, V | null>(async (keys) => {
    const rows = await fetch(keys);
    const byKey = new Map(rows.map((row) => [keyOf(row), row] as const));
    return keys.map((key) => byKey.get(key) ?? null);
  });
}
