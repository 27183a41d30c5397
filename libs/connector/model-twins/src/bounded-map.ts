// What the cloud mappings remember (shadow and twin-section states, section names, requests in flight)
// is bounded: a Map in insertion order, where setting a key makes it the newest and the oldest keys are
// forgotten first once the bound is passed.

/** Sets `key` as the newest entry of `map`, then forgets the oldest entries beyond `max`. */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  trimOldest(map, max);
}

/** Forgets the oldest entries of `map` until at most `max` are left. */
export function trimOldest<K, V>(map: Map<K, V>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done === true) break;
    map.delete(oldest.value);
  }
}
