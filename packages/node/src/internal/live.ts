/**
 * A member of a {@link LiveList}: the list's links live on the member itself.
 * @internal
 */
export interface LiveLinks<T> {
  livePrev: T | undefined;
  liveNext: T | undefined;
}

/**
 * The exchanges of a server that have not closed yet, for `stop()`: a doubly
 * linked list threaded through the exchanges. Adding and removing cost a few field
 * writes and no allocation; a `Set` would give every exchange an identity hash
 * and reallocate its table as it grows and shrinks with the load, on every request.
 * @internal
 */
export class LiveList<T extends LiveLinks<T>> {
  head: T | undefined = undefined;
  size = 0;

  add(item: T): void {
    const head = this.head;
    item.livePrev = undefined;
    item.liveNext = head;
    if (head !== undefined) head.livePrev = item;
    this.head = item;
    this.size++;
  }

  /** Removes `item`; does nothing when it is not in the list. */
  delete(item: T): void {
    const prev = item.livePrev;
    const next = item.liveNext;
    if (prev !== undefined) prev.liveNext = next;
    else if (this.head === item) this.head = next;
    else return;
    if (next !== undefined) next.livePrev = prev;
    item.livePrev = undefined;
    item.liveNext = undefined;
    this.size--;
  }

  /** The members, as an array (safe to change the list while walking it). */
  toArray(): T[] {
    const out: T[] = [];
    for (let item = this.head; item !== undefined; item = item.liveNext) out.push(item);
    return out;
  }
}
