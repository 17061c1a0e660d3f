import type { Interceptor } from '@plinth/interceptor';
import { type EventHub, type EventLog, eventStream } from '@plinth/sse';
import type { Request, Response } from '@plinth/writeable-body';
import { DemoError } from './error';

/** The most bytes a `POST /chat/messages` body may have (413 above). */
export const CHAT_BODY_LIMIT = 4096;
/** The longest user name, in characters. */
export const CHAT_MAX_USER = 32;
/** The longest message text, in characters. */
export const CHAT_MAX_TEXT = 500;
/** How many recent messages a page that connects for the first time is shown. */
export const CHAT_HISTORY = 20;

/** A chat message as it is published (the event's data) and answered. */
export interface ChatMessage {
  /** Who wrote it. */
  user: string;
  /** What they wrote. */
  text: string;
  /** When the server received it, ISO 8601. */
  time: string;
}

/**
 * Checks a parsed JSON body: an object with exactly `user` and `text`, both
 * non-empty strings (after trimming) of at most {@link CHAT_MAX_USER} and
 * {@link CHAT_MAX_TEXT} characters. Throws a {@link DemoError} (400) saying what is
 * wrong; returns the trimmed fields.
 *
 * @example
 * ```ts
 * validateMessage({ user: 'ada', text: 'hi' }); // { user: 'ada', text: 'hi' }
 * validateMessage({ user: 'ada' }); // throws DemoError: text must be a string, got undefined
 * ```
 */
export function validateMessage(body: unknown): { user: string; text: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new DemoError(
      `the body must be a JSON object { "user": string, "text": string }, got ${Array.isArray(body) ? 'an array' : JSON.stringify(body)}`,
    );
  }
  const extra = Object.keys(body).filter((key) => key !== 'user' && key !== 'text');
  if (extra.length > 0) {
    throw new DemoError(
      `unknown field ${JSON.stringify(extra[0])}: only "user" and "text" are allowed`,
    );
  }
  const { user, text } = body as { user?: unknown; text?: unknown };
  return {
    user: field('user', user, CHAT_MAX_USER),
    text: field('text', text, CHAT_MAX_TEXT),
  };
}

function field(name: string, value: unknown, max: number): string {
  if (typeof value !== 'string') {
    throw new DemoError(
      `${name} must be a string, got ${value === undefined ? 'undefined' : JSON.stringify(value)}`,
    );
  }
  const trimmed = value.trim();
  if (trimmed === '') throw new DemoError(`${name} must not be empty`);
  if (trimmed.length > max) {
    throw new DemoError(`${name} must be at most ${max} characters, got ${trimmed.length}`);
  }
  return trimmed;
}

/**
 * `POST /chat/messages`: reads the JSON body with a size limit (413 above
 * {@link CHAT_BODY_LIMIT}, 400 when it is not JSON), validates it (400), publishes it
 * through the hub, and answers 201 with the message and its event id.
 * @internal
 */
export function postMessageHandler(hub: EventHub): (request: Request) => Promise<Response> {
  return async (request) => {
    const type = String(request.headers['content-type'] ?? '');
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      throw new DemoError(
        `the body must be JSON: send Content-Type: application/json, got ${JSON.stringify(type || 'none')}`,
        { status: 415 },
      );
    }
    const { user, text } = validateMessage(await request.body.json({ limit: CHAT_BODY_LIMIT }));
    const message: ChatMessage = { user, text, time: new Date().toISOString() };
    const id = await hub.publish({ data: message });
    return { status: 201, body: { id, ...message } };
  };
}

/** Options of {@link chatEvents}. */
export interface ChatEventsOptions {
  /**
   * The heartbeat comment interval of the stream.
   * @default 15000
   */
  heartbeatMs?: number | undefined;
  /**
   * The reconnection delay sent to browsers (`retry:`), short so that a page is back
   * soon after a server restart.
   * @default 1000
   */
  retryMs?: number | undefined;
}

/**
 * `GET /chat/events`: an event stream subscribed to the hub. A browser that
 * reconnects sends `Last-Event-ID` and the hub replays what it missed, in order,
 * none twice, then goes live. A first connection (no `Last-Event-ID`) is shown the
 * last {@link CHAT_HISTORY} messages: the replay starts that many ids back, which
 * relies on the log's ids being consecutive integers (true of `memoryEventLog`).
 * @internal
 */
export function chatEvents(
  hub: EventHub,
  log: EventLog,
  options: ChatEventsOptions = {},
): Interceptor<any> {
  return eventStream(
    async (channel) => {
      if (channel.lastEventId !== undefined) return hub.subscribe(channel);
      const { lastId } = await log.readAfter('', 0);
      const newest = Number(lastId ?? 0);
      if (!Number.isSafeInteger(newest)) return hub.subscribe(channel);
      return hub.subscribe(channel, { lastEventId: String(Math.max(0, newest - CHAT_HISTORY)) });
    },
    { heartbeatMs: options.heartbeatMs ?? 15_000, retry: options.retryMs ?? 1000 },
  );
}
