import { unrefTimer } from './portable';

/**
 * @internal One timer per heartbeat period for all the streams that share it,
 * instead of one timer per stream: with 10,000 open streams a timer each is
 * 10,000 timer objects re-armed after every write. Each tick asks every stream
 * whether it has been idle for a whole period; a stream therefore sends its
 * heartbeat after between one and one and a quarter periods of silence.
 */
export interface HeartbeatTarget {
  /** Sends a heartbeat when idle for `every` ms at `now` (`performance.now()`). */
  heartbeat(now: number): void;
}

interface Wheel {
  readonly members: Set<HeartbeatTarget>;
  readonly timer: ReturnType<typeof setInterval>;
}

const wheels = new Map<number, Wheel>();

function tick(members: Set<HeartbeatTarget>): void {
  const now = performance.now();
  for (const member of members) member.heartbeat(now);
}

/** @internal Starts calling `target.heartbeat` every quarter of `every` ms. */
export function watchHeartbeat(target: HeartbeatTarget, every: number): void {
  let wheel = wheels.get(every);
  if (wheel === undefined) {
    const members = new Set<HeartbeatTarget>();
    const timer = setInterval(tick, Math.max(1, Math.floor(every / 4)), members);
    // Open sockets keep a server alive; a heartbeat timer alone never should.
    unrefTimer(timer);
    wheel = { members, timer };
    wheels.set(every, wheel);
  }
  wheel.members.add(target);
}

/** @internal Stops the heartbeat of `target`. */
export function unwatchHeartbeat(target: HeartbeatTarget, every: number): void {
  const wheel = wheels.get(every);
  if (wheel === undefined || !wheel.members.delete(target)) return;
  if (wheel.members.size === 0) {
    clearInterval(wheel.timer);
    wheels.delete(every);
  }
}
