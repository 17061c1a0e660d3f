// Turns a route table spec into compiled routes: methods, path patterns, parameter
// constraints, targets and the duplicate/overlap checks. One piece because every
// check reports through the same `invalid` helper with the route's label, and the
// overlap check needs all routes parsed by the same rules.
import { type Interceptor, interceptor } from '@plinth/interceptor';
import { RouterError } from '../errors';
import { isGroup, joinPath } from '../group';
import type {
  MatchedRoute,
  ParamConstraint,
  PathParams,
  RouteHandler,
  RouteInfo,
  RouteSpec,
  RouteTableSpec,
  RouteTarget,
} from '../types';
import { describe } from './describe';
import { type PatternSegment, parsePattern, shapeKey } from './pattern';
import { handlerInterceptor, notAnInterceptor } from './target';

/**
 * A parameter check: the parameter at `index` (path order) must pass `test`.
 * @internal
 */
export interface ParamCheck {
  readonly index: number;
  readonly name: string;
  readonly test: (value: string) => boolean;
  readonly source: ParamConstraint;
}

/**
 * A validated route, ready for the matcher and for `urlFor`.
 * @internal
 */
export interface CompiledRoute {
  /** Where the entry is in the table (`table[2].routes[0]`), for messages. */
  readonly where: string;
  readonly name: string;
  readonly path: string;
  /** Explicit methods, or `['ANY']`. */
  readonly methods: readonly string[];
  readonly any: boolean;
  readonly segments: readonly PatternSegment[];
  readonly shape: string;
  readonly paramNames: readonly string[];
  readonly checks: readonly ParamCheck[];
  /** Group interceptors, then the route's own, the handler last. */
  readonly interceptors: readonly Interceptor<any>[];
  readonly info: RouteInfo;
  /** What `ctx.route` is for each declared method (and `'ANY'`). */
  readonly matched: ReadonlyMap<string, MatchedRoute>;
  /** Builds the params object from the values in path order. */
  readonly params: (values: readonly string[]) => PathParams;
}

/**
 * The key of the compiled route on a {@link MatchedRoute} (not enumerable), so the
 * router finds a route's interceptors from a match result without another lookup.
 * @internal
 */
export const COMPILED: unique symbol = Symbol('plinth.router.compiled') as never;

/**
 * The compiled route behind a {@link MatchedRoute}.
 * @internal
 */
export function compiledOf(route: MatchedRoute): CompiledRoute {
  return (route as unknown as { [COMPILED]: CompiledRoute })[COMPILED];
}

/**
 * A builder of params objects for a list of names. The objects inherit nothing: their
 * prototype is an empty object with a null prototype, so `__proto__`, `toString` or
 * `constructor` are ordinary names; and being made by one constructor, they share a
 * shape and stay fast (a bare `Object.create(null)` object is a slower dictionary).
 * @internal
 */
function paramsBuilder(names: readonly string[]): (values: readonly string[]) => PathParams {
  const n = names.length;
  // A function, not a class: a class's prototype property cannot be replaced.
  function Params(this: PathParams, values: readonly string[]) {
    for (let i = 0; i < n; i++) this[names[i]!] = values[i]!;
  }
  Params.prototype = NO_INHERITANCE;
  const make = Params as unknown as new (values: readonly string[]) => PathParams;
  return (values) => new make(values);
}

const NO_INHERITANCE: object = Object.freeze(Object.create(null));

const METHOD = /^[A-Z][A-Z0-9_-]*$/;

function label(spec: RouteSpec): string {
  const [path, method] = spec;
  const m = Array.isArray(method) ? method.join(',') : String(method);
  return `${m} ${String(path)}`;
}

function invalid(where: string, spec: RouteSpec | undefined, message: string): never {
  const what = spec ? `${where} (${label(spec)})` : where;
  throw new RouterError('INVALID_ROUTE', `route table: ${what}: ${message}`);
}

function parseMethods(where: string, spec: RouteSpec): string[] {
  const raw = spec[1];
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) invalid(where, spec, 'the method list is empty');
  const methods: string[] = [];
  for (const m of list) {
    if (typeof m !== 'string' || !METHOD.test(m)) {
      const hint =
        typeof m === 'string' && METHOD.test(m.toUpperCase())
          ? ` (methods are upper-case: '${m.toUpperCase()}')`
          : '';
      invalid(
        where,
        spec,
        `the method ${describe(m)} is not an HTTP method token${hint}; use e.g. 'GET', ['GET', 'POST'] or 'ANY'`,
      );
    }
    if (methods.includes(m)) invalid(where, spec, `the method '${m}' is listed twice`);
    methods.push(m);
  }
  if (methods.includes('ANY') && methods.length > 1) {
    invalid(where, spec, `'ANY' already covers every method; do not list it with others`);
  }
  return methods;
}

function anchored(re: RegExp): (value: string) => boolean {
  // The whole value must match (Pedestal's re-matches), and a g/y flag's lastIndex
  // must not carry over from one request to the next.
  const whole = new RegExp(`^(?:${re.source})$`, re.flags.replace(/[gy]/g, ''));
  return (value) => whole.test(value);
}

function parseChecks(
  where: string,
  spec: RouteSpec,
  paramNames: readonly string[],
  constraints: unknown,
): ParamCheck[] {
  if (constraints === undefined) return [];
  if (typeof constraints !== 'object' || constraints === null || Array.isArray(constraints)) {
    invalid(where, spec, `options.constraints must be an object, got ${describe(constraints)}`);
  }
  const checks: ParamCheck[] = [];
  for (const [name, source] of Object.entries(constraints as Record<string, unknown>)) {
    const index = paramNames.indexOf(name);
    if (index === -1) {
      invalid(
        where,
        spec,
        `options.constraints names '${name}', which is not a parameter of the path (its parameters: ${paramNames.length ? paramNames.join(', ') : 'none'})`,
      );
    }
    let test: (value: string) => boolean;
    if (source instanceof RegExp) test = anchored(source);
    else if (typeof source === 'function')
      test = (value) => Boolean((source as (v: string) => unknown)(value));
    else {
      invalid(
        where,
        spec,
        `the constraint on '${name}' must be a RegExp or a function (value) => boolean, got ${describe(source)}`,
      );
    }
    checks.push({ index, name, test, source: source as ParamConstraint });
  }
  return checks.sort((a, b) => a.index - b.index);
}

function parseTarget(
  where: string,
  spec: RouteSpec,
  name: string,
  target: RouteTarget,
): Interceptor<any>[] {
  // interceptor() validates once and brands the result, so enqueue() on every
  // request does not validate again.
  const checked = (item: unknown, at: string): Interceptor<any> => {
    const why = notAnInterceptor(item);
    if (why) invalid(where, spec, `${at}${why}`);
    try {
      return interceptor(item as Interceptor<any>);
    } catch (e) {
      return invalid(where, spec, `${at}${(e as Error).message}`);
    }
  };
  if (typeof target === 'function') return [interceptor(handlerInterceptor(name, target))];
  if (Array.isArray(target)) {
    if (target.length === 0) {
      invalid(where, spec, 'the target is an empty list; it needs at least a handler');
    }
    return target.map((item: unknown, i: number) => {
      if (typeof item !== 'function') return checked(item, `target[${i}]: `);
      if (i !== target.length - 1) {
        invalid(
          where,
          spec,
          `target[${i}] is a function, but only the last element of a target list may be a handler`,
        );
      }
      return interceptor(handlerInterceptor(name, item as RouteHandler));
    });
  }
  if (typeof target !== 'object' || target === null) {
    invalid(
      where,
      spec,
      `the target must be a handler (request) => response, an interceptor, or a list of interceptors ending in one; got ${describe(target)}`,
    );
  }
  return [checked(target, '')];
}

function sameConstraints(a: CompiledRoute, b: CompiledRoute): boolean {
  if (a.checks.length !== b.checks.length) return false;
  return a.checks.every((ca, i) => {
    const cb = b.checks[i]!;
    if (ca.index !== cb.index) return false;
    if (ca.source instanceof RegExp && cb.source instanceof RegExp) {
      return ca.source.source === cb.source.source && ca.source.flags === cb.source.flags;
    }
    return ca.source === cb.source;
  });
}

function overlap(a: CompiledRoute, b: CompiledRoute): string | undefined {
  if (a.any && b.any) return 'ANY';
  if (a.any || b.any) return undefined; // an explicit method is preferred over ANY
  return a.methods.find((m) => b.methods.includes(m));
}

function describeRoute(route: CompiledRoute): string {
  return `route '${route.name}' (${route.where}: ${route.methods.join(',')} ${route.path})`;
}

/**
 * Flattens a route table (groups included), validates every entry and reports
 * duplicate names and routes hidden by an earlier one, naming both routes.
 * @internal
 */
export function compileTable(table: RouteTableSpec): CompiledRoute[] {
  if (!Array.isArray(table)) {
    throw new RouterError(
      'INVALID_ROUTE',
      `route table: expected an array of routes [path, method, target, options?], got ${describe(table)}`,
    );
  }
  const routes: CompiledRoute[] = [];
  const byName = new Map<string, CompiledRoute>();
  const byShape = new Map<string, CompiledRoute[]>();

  const visit = (
    entries: RouteTableSpec,
    prefix: string,
    outer: readonly Interceptor<any>[],
    base: string,
  ) => {
    entries.forEach((entry, i) => {
      const where = `${base}[${i}]`;
      if (isGroup(entry)) {
        visit(
          entry.routes,
          joinPath(prefix, entry.prefix),
          [...outer, ...entry.interceptors],
          `${where}.routes`,
        );
        return;
      }
      if (!Array.isArray(entry)) {
        invalid(
          where,
          undefined,
          `expected a route [path, method, target, options?] or a group(...), got ${describe(entry)}`,
        );
      }
      const spec = entry as RouteSpec;
      if (spec.length < 3 || spec.length > 4) {
        invalid(
          where,
          spec,
          `a route has 3 or 4 elements [path, method, target, options?], got ${spec.length}`,
        );
      }
      if (typeof spec[0] !== 'string') {
        invalid(where, undefined, `the path must be a string, got ${describe(spec[0])}`);
      }
      if (spec[0][0] !== '/') {
        invalid(where, spec, `the path ${JSON.stringify(spec[0])} must start with '/'`);
      }
      const path = joinPath(prefix, spec[0]);
      let segments: PatternSegment[];
      try {
        segments = parsePattern(path);
      } catch (e) {
        invalid(where, spec, (e as Error).message);
      }
      const methods = parseMethods(where, spec);
      const options = spec[3] ?? {};
      if (typeof options !== 'object' || options === null || Array.isArray(options)) {
        invalid(
          where,
          spec,
          `options must be an object { name?, constraints? }, got ${describe(options)}`,
        );
      }
      const unknown = Object.keys(options).filter((k) => k !== 'name' && k !== 'constraints');
      if (unknown.length) {
        invalid(
          where,
          spec,
          `unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')}; known: name, constraints`,
        );
      }
      const name = options.name ?? `${methods.join(',')} ${path}`;
      if (typeof name !== 'string' || name === '') {
        invalid(where, spec, `options.name must be a non-empty string, got ${describe(name)}`);
      }
      const paramNames = segments.flatMap((s) => (s.type === 'static' ? [] : [s.name]));
      const checks = parseChecks(where, spec, paramNames, options.constraints);
      const interceptors = [...outer, ...parseTarget(where, spec, name, spec[2])];
      const info: RouteInfo = Object.freeze({
        name,
        path,
        methods: Object.freeze([...methods]),
        params: Object.freeze([...paramNames]),
      });
      const matched = new Map<string, MatchedRoute>();
      const route: CompiledRoute = {
        where,
        name,
        path,
        methods,
        any: methods[0] === 'ANY',
        segments,
        shape: shapeKey(segments),
        paramNames,
        checks,
        interceptors,
        info,
        matched,
        params: paramsBuilder(paramNames),
      };
      for (const method of methods) {
        const m = { ...info, method };
        Object.defineProperty(m, COMPILED, { value: route, enumerable: false });
        matched.set(method, Object.freeze(m));
      }

      const sameName = byName.get(name);
      if (sameName) {
        throw new RouterError(
          'DUPLICATE_ROUTE',
          `route table: ${describeRoute(route)} has the same name as ${describeRoute(sameName)}; route names must be unique`,
          { route: name },
        );
      }
      const sameShape = byShape.get(route.shape) ?? [];
      for (const earlier of sameShape) {
        const method = overlap(earlier, route);
        if (method === undefined) continue;
        if (earlier.checks.length === 0 || sameConstraints(earlier, route)) {
          throw new RouterError(
            'DUPLICATE_ROUTE',
            `route table: ${describeRoute(route)} conflicts with ${describeRoute(earlier)}: ` +
              `both match the same paths with method ${method}, so the later one could never be chosen` +
              (earlier.checks.length === 0 ? '' : ' (their constraints are the same)'),
            { route: name },
          );
        }
      }
      byName.set(name, route);
      byShape.set(route.shape, [...sameShape, route]);
      routes.push(route);
    });
  };
  visit(table, '', [], 'table');
  return routes;
}
