/**
 * One segment of a route's path pattern.
 * @internal
 */
export type PatternSegment =
  | { readonly type: 'static'; readonly value: string }
  | { readonly type: 'param'; readonly name: string }
  | { readonly type: 'wildcard'; readonly name: string };

const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Characters that cannot appear literally in a path pattern: they would end the path
// on the wire (`?`, `#`), are escapes (`%`: write the decoded character instead), or
// are whitespace and control characters no client sends unencoded.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const FORBIDDEN = /[?#%\s\u0000-\u001f\u007f]/;

/**
 * Parses a path pattern (`/users/:id/files/*rest`) into segments, or throws a
 * message (without the route's name, which the caller adds).
 * @internal
 */
export function parsePattern(path: string): PatternSegment[] {
  if (typeof path !== 'string') {
    throw new Error(`the path must be a string, got ${typeof path}`);
  }
  if (path[0] !== '/') {
    throw new Error(`the path ${JSON.stringify(path)} must start with '/'`);
  }
  const bad = FORBIDDEN.exec(path);
  if (bad) {
    throw new Error(
      `the path ${JSON.stringify(path)} contains ${JSON.stringify(bad[0])}, which cannot appear in a path pattern` +
        (bad[0] === '%'
          ? ' (write the decoded character; urlFor and the matcher encode and decode)'
          : ''),
    );
  }
  const parts = path.slice(1).split('/');
  const segments: PatternSegment[] = [];
  const names = new Set<string>();
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    if (part === '' && !last) {
      throw new Error(`the path ${JSON.stringify(path)} has an empty segment ('//')`);
    }
    const sigil = part[0];
    if (sigil === ':' || sigil === '*') {
      const name = part.slice(1);
      const kind = sigil === ':' ? 'parameter' : 'wildcard';
      if (!PARAM_NAME.test(name)) {
        throw new Error(
          `the path ${JSON.stringify(path)} has a ${kind} segment ${JSON.stringify(part)} whose name is not an identifier` +
            ` (a ${kind} takes a whole segment: '${sigil}name'; use a constraint to restrict its value)`,
        );
      }
      if (names.has(name)) {
        throw new Error(`the path ${JSON.stringify(path)} uses the parameter name '${name}' twice`);
      }
      names.add(name);
      if (sigil === '*' && !last) {
        throw new Error(
          `the path ${JSON.stringify(path)} has the wildcard ${JSON.stringify(part)} before its end; a wildcard must be the last segment`,
        );
      }
      segments.push(sigil === ':' ? { type: 'param', name } : { type: 'wildcard', name });
    } else {
      segments.push({ type: 'static', value: part });
    }
  });
  return segments;
}

/**
 * A key equal for two patterns that match exactly the same paths (parameter names
 * do not matter): `/users/:id` and `/users/:userId` share one.
 * @internal
 */
export function shapeKey(segments: readonly PatternSegment[]): string {
  return segments
    .map((s) => (s.type === 'static' ? `=${s.value}` : s.type === 'param' ? ':' : '*'))
    .join('/');
}
