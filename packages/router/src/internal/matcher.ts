// The segment trie and its searches. One piece because the two searches (over the
// raw path and over decoded segments), the Allow collection and the literal-path
// index must walk the same nodes in the same precedence (literal, parameter,
// wildcard); kept side by side, a change to one is seen next to the others.
import type { MatchedRoute, MatchResult } from '../types';
import type { CompiledRoute } from './compile';
import { decodeOrUndefined, malformedReason } from './decode';

/**
 * The routes ending at one node of the trie, indexed by the method they answer.
 * @internal
 */
interface Endpoint {
  readonly routes: CompiledRoute[];
  /**
   * For each method some route declares: the routes declaring it (for HEAD: then the
   * GET routes), then the ANY routes; each with what `ctx.route` becomes.
   */
  byMethod: Map<string, Candidate[]>;
  /** The ANY routes, for methods no route here declares. */
  any: Candidate[];
  /** `byMethod.get('GET') ?? any`: GET is most requests, a field read beats a map probe. */
  get: Candidate[];
}

interface Candidate {
  readonly route: CompiledRoute;
  readonly matched: MatchedRoute;
}

/**
 * A node of the segment trie: a radix tree whose edges are whole path segments, so
 * a lookup costs one probe per segment whatever the number of routes.
 * @internal
 */
interface TrieNode {
  /** Literal children, few: compared in a loop (no hashing). */
  keys: string[];
  nodes: TrieNode[];
  /** Literal children, many: a map (replaces keys/nodes past {@link LINEAR_MAX}). */
  map: Map<string, TrieNode> | undefined;
  /** The child for a `:param` segment (shared by every parameter name). */
  param: TrieNode | undefined;
  /** Routes ending exactly here. */
  endpoint: Endpoint | undefined;
  /** Routes whose `*wildcard` starts here. */
  wildcard: Endpoint | undefined;
}

/** Up to this many literal children, a loop of string comparisons beats hashing. */
const LINEAR_MAX = 8;

const NOT_FOUND: MatchResult = Object.freeze({ kind: 'not-found' });
const NO_VALUES: readonly string[] = Object.freeze([]);

/**
 * Set by the searches when some route's path matched the whole request path (whatever
 * the method and constraints). When a search fails without it, the answer is 404 at
 * once, with no second pass to collect the methods for `Allow`. Lookups are
 * synchronous, so one module-level flag is enough.
 */
let reached = false;

function newNode(): TrieNode {
  return {
    keys: [],
    nodes: [],
    map: undefined,
    param: undefined,
    endpoint: undefined,
    wildcard: undefined,
  };
}

function staticChild(node: TrieNode, segment: string): TrieNode | undefined {
  if (node.map !== undefined) return node.map.get(segment);
  const keys = node.keys;
  for (let i = 0; i < keys.length; i++) if (keys[i] === segment) return node.nodes[i];
  return undefined;
}

function addStaticChild(node: TrieNode, segment: string): TrieNode {
  const existing = staticChild(node, segment);
  if (existing) return existing;
  const child = newNode();
  if (node.map === undefined && node.keys.length < LINEAR_MAX) {
    node.keys.push(segment);
    node.nodes.push(child);
  } else {
    node.map ??= new Map(node.keys.map((k, i) => [k, node.nodes[i]!]));
    node.map.set(segment, child);
  }
  return child;
}

function finish(endpoint: Endpoint): void {
  const candidate = (route: CompiledRoute, method: string): Candidate => ({
    route,
    matched: route.matched.get(method)!,
  });
  const explicit = new Set<string>();
  for (const route of endpoint.routes)
    if (!route.any) for (const m of route.methods) explicit.add(m);
  endpoint.any = endpoint.routes.filter((r) => r.any).map((r) => candidate(r, 'ANY'));
  const forMethod = (method: string): Candidate[] =>
    endpoint.routes.filter((r) => r.methods.includes(method)).map((r) => candidate(r, method));
  for (const method of explicit) {
    endpoint.byMethod.set(method, [...forMethod(method), ...endpoint.any]);
  }
  // HEAD is served by the GET route unless a route declares HEAD itself.
  if (explicit.has('GET')) {
    endpoint.byMethod.set('HEAD', [...forMethod('HEAD'), ...forMethod('GET'), ...endpoint.any]);
  }
  endpoint.get = endpoint.byMethod.get('GET') ?? endpoint.any;
}

function passes(route: CompiledRoute, values: readonly string[]): boolean {
  const checks = route.checks;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    if (!check.test(values[check.index]!)) return false;
  }
  return true;
}

function pick(
  endpoint: Endpoint,
  method: string,
  values: readonly string[],
): Candidate | undefined {
  const list = method === 'GET' ? endpoint.get : (endpoint.byMethod.get(method) ?? endpoint.any);
  for (let i = 0; i < list.length; i++) {
    const candidate = list[i]!;
    if (passes(candidate.route, values)) return candidate;
  }
  return undefined;
}

function found(candidate: Candidate, values: readonly string[]): MatchResult {
  return { kind: 'found', route: candidate.matched, params: candidate.route.params(values) };
}

/**
 * Searches a raw path with no escapes, segment by segment, without splitting it.
 * `pos` is where the current segment starts; past the end means every segment was
 * consumed. Precedence: a literal segment, then a parameter, then a wildcard, with
 * backtracking.
 */
function searchPath(
  node: TrieNode,
  path: string,
  pos: number,
  method: string,
  values: string[],
): Candidate | undefined {
  const length = path.length;
  if (pos > length) {
    if (node.endpoint === undefined) return undefined;
    reached = true;
    return pick(node.endpoint, method, values);
  }
  let end = path.indexOf('/', pos);
  if (end === -1) end = length;
  const segment = path.slice(pos, end);
  const child = staticChild(node, segment);
  if (child !== undefined) {
    const hit = searchPath(child, path, end + 1, method, values);
    if (hit !== undefined) return hit;
  }
  if (node.param !== undefined && end > pos) {
    values.push(segment);
    const hit = searchPath(node.param, path, end + 1, method, values);
    if (hit !== undefined) return hit;
    values.pop();
  }
  if (node.wildcard !== undefined) {
    reached = true;
    values.push(end === length ? segment : path.slice(pos));
    const hit = pick(node.wildcard, method, values);
    if (hit !== undefined) return hit;
    values.pop();
  }
  return undefined;
}

/**
 * The same search over decoded segments (a path with escapes, where a decoded
 * segment may contain `/`). `segments[0]` is the empty string before the first `/`.
 */
function searchSegments(
  node: TrieNode,
  segments: readonly string[],
  i: number,
  method: string,
  values: string[],
): Candidate | undefined {
  if (i === segments.length) {
    if (node.endpoint === undefined) return undefined;
    reached = true;
    return pick(node.endpoint, method, values);
  }
  const segment = segments[i]!;
  const child = staticChild(node, segment);
  if (child !== undefined) {
    const hit = searchSegments(child, segments, i + 1, method, values);
    if (hit !== undefined) return hit;
  }
  if (node.param !== undefined && segment !== '') {
    values.push(segment);
    const hit = searchSegments(node.param, segments, i + 1, method, values);
    if (hit !== undefined) return hit;
    values.pop();
  }
  if (node.wildcard !== undefined) {
    reached = true;
    values.push(segments.slice(i).join('/'));
    const hit = pick(node.wildcard, method, values);
    if (hit !== undefined) return hit;
    values.pop();
  }
  return undefined;
}

function addAllowed(endpoint: Endpoint, values: readonly string[], allowed: Set<string>): void {
  for (const route of endpoint.routes) {
    if (route.any || !passes(route, values)) continue;
    for (const m of route.methods) allowed.add(m);
  }
}

/** Gathers the methods of every route whose path (and constraints) match. */
function collect(
  node: TrieNode,
  segments: readonly string[],
  i: number,
  values: string[],
  allowed: Set<string>,
): void {
  if (i === segments.length) {
    if (node.endpoint !== undefined) addAllowed(node.endpoint, values, allowed);
    return;
  }
  const segment = segments[i]!;
  const child = staticChild(node, segment);
  if (child !== undefined) collect(child, segments, i + 1, values, allowed);
  if (node.param !== undefined && segment !== '') {
    values.push(segment);
    collect(node.param, segments, i + 1, values, allowed);
    values.pop();
  }
  if (node.wildcard !== undefined) {
    values.push(segments.slice(i).join('/'));
    addAllowed(node.wildcard, values, allowed);
    values.pop();
  }
}

/**
 * The `Allow` list for a set of methods: sorted, HEAD added when GET is there, and
 * OPTIONS, which the router answers itself.
 * @internal
 */
export function allowList(methods: Iterable<string>): string[] {
  const all = new Set(methods);
  if (all.has('GET')) all.add('HEAD');
  all.add('OPTIONS');
  return [...all].sort();
}

/**
 * The route matcher: a segment trie built once from a compiled table.
 * @internal
 */
export class Matcher {
  private readonly root: TrieNode = newNode();
  /**
   * The endpoints of the routes whose every segment is literal, by their path. A
   * request path found here takes one map probe instead of the trie walk: the walk
   * tries literal children first at every level, so it would reach the same
   * endpoint first. When that endpoint has no route for the method, the walk runs.
   */
  private readonly statics = new Map<string, Endpoint>();
  /** Every method some route declares (with HEAD and OPTIONS), for `OPTIONS *`. */
  readonly allMethods: readonly string[];

  constructor(routes: readonly CompiledRoute[]) {
    const endpoints = new Set<Endpoint>();
    const methods = new Set<string>();
    const newEndpoint = (): Endpoint => ({ routes: [], byMethod: new Map(), any: [], get: [] });
    for (const route of routes) {
      let node = this.root;
      let endpoint: Endpoint | undefined;
      for (const segment of route.segments) {
        if (segment.type === 'static') node = addStaticChild(node, segment.value);
        else if (segment.type === 'param') node = node.param ??= newNode();
        else endpoint = node.wildcard ??= newEndpoint();
      }
      endpoint ??= node.endpoint ??= newEndpoint();
      // No parameter and no wildcard: the pattern is the raw request path it matches
      // (it has no '%', being written decoded, and it is what the segments came from).
      if (route.paramNames.length === 0) this.statics.set(route.path, endpoint);
      endpoint.routes.push(route);
      endpoints.add(endpoint);
      for (const m of route.methods) if (m !== 'ANY') methods.add(m);
    }
    for (const endpoint of endpoints) finish(endpoint);
    this.allMethods = Object.freeze(allowList(methods));
  }

  /** Matches a method and a raw (not decoded) request path. */
  match(method: string, path: string): MatchResult {
    if (path.indexOf('%') === -1) {
      const endpoint = this.statics.get(path);
      if (endpoint !== undefined) {
        const candidate = pick(endpoint, method, NO_VALUES);
        if (candidate !== undefined) return found(candidate, NO_VALUES);
      }
      if (path.charCodeAt(0) !== 47 /* / */) return notAbsolute(path);
      const values: string[] = [];
      reached = false;
      const candidate = searchPath(this.root, path, 1, method, values);
      if (candidate !== undefined) return found(candidate, values);
      return reached ? this.miss(path.split('/')) : NOT_FOUND;
    }
    if (path.charCodeAt(0) !== 47 /* / */) return notAbsolute(path);
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const raw = segments[i]!;
      const decoded = decodeOrUndefined(raw);
      if (decoded === undefined) {
        return { kind: 'bad-request', reason: `malformed path: ${malformedReason(raw)}` };
      }
      segments[i] = decoded;
    }
    const values: string[] = [];
    reached = false;
    const candidate = searchSegments(this.root, segments, 1, method, values);
    if (candidate !== undefined) return found(candidate, values);
    return reached ? this.miss(segments) : NOT_FOUND;
  }

  private miss(segments: readonly string[]): MatchResult {
    const allowed = new Set<string>();
    collect(this.root, segments, 1, [], allowed);
    if (allowed.size === 0) return NOT_FOUND;
    return { kind: 'method-not-allowed', allow: allowList(allowed) };
  }
}

function notAbsolute(path: string): MatchResult {
  return {
    kind: 'bad-request',
    reason: `the path ${JSON.stringify(path.slice(0, 100))} does not start with '/'`,
  };
}
