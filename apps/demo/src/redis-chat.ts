// The chat across processes (opt-in: PLINTH_REDIS_URL): the chat's log is a topic on
// Redis Streams, so every demo process started against the same Redis shares it, and
// rooms whose streams are authorised by a signed token (HS256, checked with jose).
import { randomBytes } from 'node:crypto';
import type { Interceptor } from '@plinth/interceptor';
import type { RouteTableSpec } from '@plinth/router';
import { type EventLog, eventStream } from '@plinth/sse';
import { checkTopic, connectRedisStreams, type RedisStreams } from '@plinth/sse-redis';
import { jwtVerify, SignJWT } from 'jose';
import { DemoError } from './error';
import type { DemoLogger } from './logger';

/** What {@link redisChat} hands to the demo. */
export interface RedisChat {
  /** The chat's log: the `chat` topic, shared by every process on this Redis. */
  readonly chatLog: EventLog;
  /** `POST /rooms/:room/token`, `GET /rooms/:room/events?token=`, `POST /rooms/:room/messages?token=`. */
  readonly routes: RouteTableSpec;
  /** The topics, to close on stop. */
  readonly streams: RedisStreams;
}

/** How long a room token is valid. */
export const ROOM_TOKEN_TTL = '10m';

/**
 * Signs a token that grants `room` (the demo hands one to anyone who asks; a real
 * application would after a login).
 */
export function signRoomToken(secret: Uint8Array, room: string): Promise<string> {
  return new SignJWT({ rooms: [room] })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(ROOM_TOKEN_TTL)
    .sign(secret);
}

/**
 * An interceptor that authorises a room before its stream starts: the room name is
 * checked (400), then the `token` query parameter must be a valid HS256 token of
 * this server that lists the room (403 otherwise). EventSource cannot send headers,
 * hence the query parameter.
 */
export function authorizeRoom(secret: Uint8Array): Interceptor<any> {
  return {
    name: 'authorize-room',
    async enter(ctx: any) {
      const room = checkTopic(ctx.request.pathParams.room);
      const token = ctx.request.query?.token;
      try {
        const { payload } = await jwtVerify(typeof token === 'string' ? token : '', secret, {
          algorithms: ['HS256'],
        });
        if (!Array.isArray(payload.rooms) || !payload.rooms.includes(room)) {
          throw new Error('room not granted');
        }
      } catch {
        throw new DemoError(`no valid token for room ${room}`, { status: 403 });
      }
      return ctx;
    },
  };
}

/**
 * Connects to Redis (failing at once, naming the address, when it is unreachable)
 * and builds the shared chat log and the authorised rooms.
 */
export async function redisChat(
  url: string,
  logger: DemoLogger,
  secret: Uint8Array = randomBytes(32),
): Promise<RedisChat> {
  const streams = await connectRedisStreams({
    url,
    keyPrefix: 'plinth-demo:',
    maxEvents: 1000,
    onError: (error) => logger.warn({ err: error.message }, 'redis'),
  });
  const guard = authorizeRoom(secret);
  const routes: RouteTableSpec = [
    [
      '/rooms/:room/token',
      'POST',
      async (request: any) => ({
        status: 201,
        body: { token: await signRoomToken(secret, checkTopic(request.pathParams.room)) },
      }),
      { name: 'room-token' },
    ],
    [
      '/rooms/:room/events',
      'GET',
      [
        guard,
        eventStream(
          (channel, ctx: any) => streams.hub(ctx.request.pathParams.room).subscribe(channel),
          {
            heartbeatMs: 15_000,
            retry: 1000,
          },
        ),
      ],
      { name: 'room-events' },
    ],
    [
      '/rooms/:room/messages',
      'POST',
      [
        guard,
        async (request: any) => {
          const text = await request.body.text({ limit: 4096 });
          const id = await streams.hub(request.pathParams.room).publish({ data: text });
          return { status: 201, body: { id } };
        },
      ],
      { name: 'room-post' },
    ],
  ];
  return { chatLog: streams.log('chat'), routes, streams };
}

/** `redisChat` for main.ts: logs where it connected, or why it could not and exits (status 1). */
export async function startRedisChat(url: string, logger: DemoLogger): Promise<RedisChat> {
  try {
    const chat = await redisChat(url, logger);
    logger.info({ redis: chat.streams.address }, 'chat shared through Redis');
    return chat;
  } catch (error) {
    logger.error({}, (error as Error).message);
    process.exit(1);
  }
}
