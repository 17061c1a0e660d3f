// Type tests, checked by `tsc` (pnpm --filter @plinth/writeable-body typecheck).
// The published declarations are checked across module formats and copies by the
// `types` test of packages/tests; this file pins the shape they rely on.
import { expectTypeOf } from 'vitest';
import {
  type BodySink,
  type HttpContext,
  type RESPONDER,
  type Responder,
  WRITEABLE_BODY,
  type WriteableBody,
  writeableBody,
} from './index';

// The brand is a string literal: the same type in every declaration file.
expectTypeOf(WRITEABLE_BODY).toEqualTypeOf<'~plinth.writeableBody'>();
expectTypeOf<WriteableBody['~plinth.writeableBody']>().toEqualTypeOf<true>();

// What the declarations of another copy (or the other module format) declare,
// written out independently: assignable both ways.
interface OtherCopyWriteableBody {
  readonly '~plinth.writeableBody': true;
  defaultContentType(): string | undefined;
  contentLength(): number | undefined;
  writeBody(sink: BodySink): void | Promise<void>;
  prepare?(): void | Promise<void>;
  release?(): void;
}
declare const fromOtherCopy: OtherCopyWriteableBody;
export const acceptedHere: WriteableBody = fromOtherCopy;
export const acceptedThere: OtherCopyWriteableBody = writeableBody({ write: () => {} });

// A plugin may implement the interface with a class of its own.
class Csv implements WriteableBody {
  readonly [WRITEABLE_BODY] = true as const;
  defaultContentType(): string {
    return 'text/csv';
  }
  contentLength(): undefined {
    return undefined;
  }
  writeBody(sink: BodySink): void {
    sink.write('a,b\r\n');
  }
}
export const csv: WriteableBody = new Csv();

// Without the brand an object is not a body, whatever its methods.
// @ts-expect-error the brand is required
export const unbranded: WriteableBody = {
  defaultContentType: () => undefined,
  contentLength: () => undefined,
  writeBody: () => {},
};

// The responder's key is optional on the context, so a context without it (as a
// context typed by another copy has, from this copy's point of view) is one.
interface OtherCopyHttpContext {
  request: HttpContext['request'];
  response?: HttpContext['response'];
}
declare const otherContext: OtherCopyHttpContext;
export const contextHere: HttpContext = otherContext;
expectTypeOf<HttpContext[typeof RESPONDER]>().toEqualTypeOf<Responder | undefined>();
