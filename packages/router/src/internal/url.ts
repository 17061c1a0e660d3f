import { RouterError } from '../errors';
import type { QueryValue, UrlForOptions } from '../types';
import type { CompiledRoute } from './compile';
import { describe, quote } from './describe';

// Characters encodeURIComponent escapes that a path segment may carry as they are
// (RFC 3986 pchar: sub-delims, ':' and '@'); '+' stays escaped because some servers
// still read it as a space.
const READABLE = /%(?:3A|40|24|26|2C|3B|3D)/g;

// A lone surrogate (half of a UTF-16 pair): encodeURIComponent cannot encode it.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function wellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(READABLE, decodeURIComponent);
}

function encodeQueryPart(value: string): string {
  return encodeURIComponent(value);
}

function paramValue(route: CompiledRoute, name: string, value: unknown): string {
  const fail = (code: 'MISSING_PARAM' | 'INVALID_PARAM', message: string): never => {
    throw new RouterError(code, `urlFor('${route.name}'): ${message}`, { route: route.name });
  };
  if (value === undefined || value === null) {
    fail(
      'MISSING_PARAM',
      `missing the path parameter '${name}' (${route.path} needs ${route.paramNames.join(', ')})`,
    );
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    fail(
      'INVALID_PARAM',
      `the parameter '${name}' must be a string or a number, got ${describe(value)}`,
    );
  }
  const text = String(value);
  if (!wellFormed(text)) {
    fail('INVALID_PARAM', `the parameter '${name}' is not well-formed Unicode (a lone surrogate)`);
  }
  return text;
}

function isDotSegment(part: string): boolean {
  return part === '.' || part === '..';
}

/**
 * Builds the URL (path and query) of a compiled route, encoding every part, and
 * checks that the route would match it: values that are empty where a segment is
 * needed, dot segments, or values failing a constraint are refused.
 * @internal
 */
export function buildUrl(route: CompiledRoute, options: UrlForOptions = {}): string {
  if (typeof options !== 'object' || options === null) {
    throw new RouterError(
      'INVALID_PARAM',
      `urlFor('${route.name}'): options must be an object { params?, query? }, got ${describe(options)}`,
      { route: route.name },
    );
  }
  const params = (options.params ?? {}) as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(params)) {
    if (!route.paramNames.includes(key)) {
      throw new RouterError(
        'INVALID_PARAM',
        `urlFor('${route.name}'): ${route.path} has no parameter '${key}' (its parameters: ${route.paramNames.length ? route.paramNames.join(', ') : 'none'}); put query parameters in options.query`,
        { route: route.name },
      );
    }
  }
  const values: string[] = [];
  let path = '';
  for (const segment of route.segments) {
    path += '/';
    if (segment.type === 'static') {
      path += encodeSegment(segment.value);
      continue;
    }
    const value = paramValue(route, segment.name, params[segment.name]);
    const problem =
      segment.type === 'param'
        ? value === ''
          ? 'is empty; a parameter takes a whole, non-empty segment'
          : isDotSegment(value)
            ? `is ${quote(value)}, a dot segment that URL normalisation would remove`
            : undefined
        : value.split('/').some(isDotSegment)
          ? `${quote(value)} contains a dot segment ('.' or '..') that URL normalisation would remove`
          : undefined;
    if (problem) {
      throw new RouterError(
        'INVALID_PARAM',
        `urlFor('${route.name}'): the parameter '${segment.name}' ${problem}`,
        {
          route: route.name,
        },
      );
    }
    values.push(value);
    path +=
      segment.type === 'param'
        ? encodeSegment(value)
        : value.split('/').map(encodeSegment).join('/');
  }
  for (const check of route.checks) {
    const value = values[check.index]!;
    if (!check.test(value)) {
      throw new RouterError(
        'INVALID_PARAM',
        `urlFor('${route.name}'): the parameter '${check.name}' is ${quote(value)}, which fails its constraint ${describe(check.source)}; the route would not match the URL`,
        { route: route.name },
      );
    }
  }
  return path + queryString(route.name, options.query);
}

function queryString(name: string, query: UrlForOptions['query']): string {
  if (query === undefined || query === null) return '';
  if (typeof query !== 'object') {
    throw new RouterError(
      'INVALID_PARAM',
      `urlFor('${name}'): options.query must be an object, got ${describe(query)}`,
      { route: name },
    );
  }
  const parts: string[] = [];
  const add = (key: string, value: unknown) => {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new RouterError(
        'INVALID_PARAM',
        `urlFor('${name}'): the query parameter '${key}' must be a string, number, boolean or an array of them, got ${describe(value)}`,
        { route: name },
      );
    }
    const text = String(value);
    if (!wellFormed(key) || !wellFormed(text)) {
      throw new RouterError(
        'INVALID_PARAM',
        `urlFor('${name}'): the query parameter '${key}' is not well-formed Unicode (a lone surrogate)`,
        { route: name },
      );
    }
    parts.push(`${encodeQueryPart(key)}=${encodeQueryPart(text)}`);
  };
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value)) for (const v of value as readonly QueryValue[]) add(key, v);
    else add(key, value);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
