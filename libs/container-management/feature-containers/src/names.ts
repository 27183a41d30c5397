// Container names are reserved synchronously, at the moment an operation is asked for: a name is taken
// when a committed record carries it or an operation in flight reserved it. Two `create`s of one name
// therefore cannot both pass the check while the first one is still pulling its image (issue 16).
import { nameInUseError } from './errors';

export interface NameReservations {
  /** Reserves `name` for `owner` (a container ID) or throws LEDGE_CM_NAME_IN_USE. Returns the release. */
  reserve(name: string, owner: string): () => void;
  /** Reserves `base`, else the first free `base-1`, `base-2`… for `owner`. */
  reserveUnique(base: string, owner: string): { name: string; release: () => void };
  /** Whether another owner than `owner` holds `name` (a record or a reservation). */
  isTaken(name: string, owner?: string): boolean;
}

/** `committed` lists the records' current names with their IDs; it is read on every check. */
export function createNameReservations(committed: () => Iterable<{ id: string; name: string }>): NameReservations {
  const reserved = new Map<string, string>();
  const isTaken = (name: string, owner?: string) => {
    const holder = reserved.get(name);
    if (holder !== undefined && holder !== owner) return true;
    for (const r of committed()) if (r.name === name && r.id !== owner) return true;
    return false;
  };
  const take = (name: string, owner: string) => {
    const mine = reserved.get(name) === owner;
    reserved.set(name, owner);
    return () => {
      if (!mine && reserved.get(name) === owner) reserved.delete(name);
    };
  };
  return {
    isTaken,
    reserve(name, owner) {
      if (isTaken(name, owner)) throw nameInUseError(name);
      return take(name, owner);
    },
    reserveUnique(base, owner) {
      let name = base;
      for (let i = 1; isTaken(name, owner); i++) name = `${base}-${i}`;
      return { name, release: take(name, owner) };
    },
  };
}
