import { describe, expect, it } from 'vitest';
import { execute } from './execute';
import { interceptor } from './interceptor';

describe('interceptor(spec)', () => {
  it('returns a frozen interceptor with exactly name, enter, leave and error', () => {
    const enter = (ctx: object) => ctx;
    const i = interceptor({ name: 'x', enter, extra: 1 } as never);
    expect(i).toEqual({ name: 'x', enter, leave: undefined, error: undefined });
    expect(Object.isFrozen(i)).toBe(true);
  });

  it('accepts any one stage alone', () => {
    for (const stage of ['enter', 'leave', 'error'] as const) {
      expect(interceptor({ [stage]: (ctx: object) => ctx })[stage]).toBeTypeOf('function');
    }
  });

  it.each([
    [null, /got null/],
    [undefined, /got undefined/],
    [42, /got number 42/],
    ['auth', /got "auth"/],
    [{}, /has no stage.*enter, leave, error/],
    [{ name: 'n' }, /interceptor "n" has no stage/],
    [{ name: 'n', enter: 'go' }, /interceptor "n": enter must be a function, got "go"/],
    [{ leave: {} }, /anonymous interceptor: leave must be a function, got an object/],
    [{ name: 7, enter: () => ({}) }, /name must be a string, got number 7/],
  ])('rejects %o with a message naming it', (spec, message) => {
    expect(() => interceptor(spec as never)).toThrow(TypeError);
    expect(() => interceptor(spec as never)).toThrow(message);
  });
});

describe('interceptor(handler)', () => {
  it('sets ctx.response to the result for ctx.request, named after the function', async () => {
    function hello(request: { who: string }) {
      return { status: 200, body: `hello ${request.who}` };
    }
    const i = interceptor(hello);
    expect(i.name).toBe('hello');
    const out = await execute({ request: { who: 'you' } }, [i]);
    expect(out.response).toEqual({ status: 200, body: 'hello you' });
  });

  it('awaits a handler that returns a promise', async () => {
    const i = interceptor(async (request: string) => `got ${request}`);
    const out = await execute({ request: 'x' }, [i]);
    expect(out.response).toBe('got x');
  });

  it("is named 'handler' when the function has no name", () => {
    expect(interceptor([(r: unknown) => r][0]!).name).toBe('handler');
  });

  it('fails the chain (naming the handler) when the handler throws or rejects', async () => {
    const sync = interceptor(function boom() {
      throw new Error('no');
    });
    await expect(execute({ request: 1 }, [sync])).rejects.toMatchObject({
      interceptor: 'boom',
      stage: 'enter',
    });
    const later = interceptor(async function late() {
      throw new Error('no');
    });
    await expect(execute({ request: 1 }, [later])).rejects.toMatchObject({
      interceptor: 'late',
      stage: 'enter',
    });
  });
});
