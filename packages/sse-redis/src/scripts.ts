// The two Lua scripts: each runs atomically in Redis, so the epoch key and the
// stream of a topic can never disagree, whatever else runs between two calls.
import { createHash } from 'node:crypto';

/** @internal A Lua script and its SHA1 (for EVALSHA). */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

function script(source: string): Script {
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/**
 * @internal Appends an event. KEYS: stream, epoch. ARGV: a new epoch (used when the
 * topic has none yet), MAXLEN ('' for none), the age limit in ms ('' for none), the
 * trim mode ('~' or '='), then the entry's field/value pairs. Every entry carries the
 * epoch (`e`), so a reader can tell an entry of another history. Replies `{ epoch, id }`.
 */
export const APPEND: Script = script(`
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[2], epoch)
end
local args = {'XADD', KEYS[1]}
if ARGV[2] ~= '' then
  args[#args + 1] = 'MAXLEN'
  args[#args + 1] = ARGV[4]
  args[#args + 1] = ARGV[2]
end
args[#args + 1] = '*'
args[#args + 1] = 'e'
args[#args + 1] = epoch
for i = 5, #ARGV do args[#args + 1] = ARGV[i] end
local id = redis.call(unpack(args))
if ARGV[3] ~= '' then
  local now = redis.call('TIME')
  local min = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(ARGV[3])
  if min > 0 then redis.call('XTRIM', KEYS[1], 'MINID', ARGV[4], string.format('%d', min)) end
end
return {epoch, id}
`);

/**
 * @internal Reads a topic's state and, when asked, the entries after an id. KEYS:
 * stream, epoch. ARGV: a new epoch (used when the topic has none yet), the client's
 * epoch, the entry id to read after ('' to read nothing), the most entries. Replies
 * `{ epoch, last-generated-id, floor, entries }`. The floor is '' while nothing was
 * ever trimmed (`entries-added` = `length`: this package never deletes otherwise),
 * else the oldest entry kept (the last generated id when none is): an id below it
 * may have missed trimmed events. Trimming does not move `max-deleted-entry-id`
 * (only XDEL does), hence this count.
 */
export const READ: Script = script(`
local epoch = redis.call('GET', KEYS[2])
if not epoch then
  epoch = ARGV[1]
  redis.call('SET', KEYS[2], epoch)
end
local last = '0-0'
local floor = ''
if redis.call('EXISTS', KEYS[1]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[1])
  local added = 0
  local length = 0
  local first = nil
  for i = 1, #info, 2 do
    local name = info[i]
    if name == 'last-generated-id' then last = info[i + 1] end
    if name == 'entries-added' then added = info[i + 1] end
    if name == 'length' then length = info[i + 1] end
    if name == 'first-entry' and type(info[i + 1]) == 'table' then first = info[i + 1][1] end
  end
  if added > length then floor = first or last end
end
local entries = {}
if ARGV[3] ~= '' and ARGV[2] == epoch then
  local read = redis.pcall('XRANGE', KEYS[1], '(' .. ARGV[3], '+', 'COUNT', ARGV[4])
  if type(read) == 'table' and read.err == nil then entries = read end
end
return {epoch, last, floor, entries}
`);
