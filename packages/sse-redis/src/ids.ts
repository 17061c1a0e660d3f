import { randomBytes } from 'node:crypto';

/** The epoch part of an id: short, lowercase base 36. */
const EPOCH = /^[0-9a-z]{1,16}$/;
/** `<epoch>_<ms>-<seq>`: the epoch of the topic, then the stream entry id. */
const EVENT_ID = /^([0-9a-z]{1,16})_([0-9]{1,20})-([0-9]{1,20})$/;
/** A stream entry id as Redis writes it. */
const ENTRY_ID = /^([0-9]{1,20})-([0-9]{1,20})$/;
const U64_MAX = (1n << 64n) - 1n;

/** @internal An event id taken apart: the topic's epoch and the stream entry id (`ms-seq`). */
export interface ParsedId {
  readonly epoch: string;
  readonly entry: string;
}

/** @internal A new random epoch (8 to 10 base-36 characters). */
export function newEpoch(): string {
  return randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0');
}

/** @internal Whether a value read from Redis is an epoch this package wrote. */
export function isEpoch(value: unknown): value is string {
  return typeof value === 'string' && EPOCH.test(value);
}

/** @internal The event id of a stream entry: `<epoch>_<ms>-<seq>`. */
export function formatEventId(epoch: string, entry: string): string {
  return `${epoch}_${entry}`;
}

/**
 * @internal Parses an event id a client sent (`Last-Event-ID`): `undefined` unless it
 * is exactly `<epoch>_<ms>-<seq>` with both numbers within 64 bits. The entry id comes
 * back normalised (no leading zeros), safe to hand to Redis.
 */
export function parseEventId(id: string): ParsedId | undefined {
  const match = EVENT_ID.exec(id);
  if (match === null) return undefined;
  const ms = BigInt(match[2]!);
  const seq = BigInt(match[3]!);
  if (ms > U64_MAX || seq > U64_MAX) return undefined;
  return { epoch: match[1]!, entry: `${ms}-${seq}` };
}

/** @internal Orders two stream entry ids (`ms-seq`); malformed ones compare as text. */
export function compareEntryIds(a: string, b: string): number {
  if (a === b) return 0;
  const x = ENTRY_ID.exec(a);
  const y = ENTRY_ID.exec(b);
  if (x === null || y === null) return a < b ? -1 : 1;
  const ms = BigInt(x[1]!) - BigInt(y[1]!);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(x[2]!) - BigInt(y[2]!);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

/**
 * @internal Orders two event ids of a topic: by entry id within an epoch. Ids of
 * different epochs have no order in the log (history was lost between them); they
 * compare by epoch text so that the order stays total.
 */
export function compareEventIds(a: string, b: string): number {
  if (a === b) return 0;
  const x = parseEventId(a);
  const y = parseEventId(b);
  if (x === undefined || y === undefined) return a < b ? -1 : 1;
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return compareEntryIds(x.entry, y.entry);
}
