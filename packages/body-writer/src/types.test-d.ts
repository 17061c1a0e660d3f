// Type tests, checked by `tsc` (pnpm --filter @plinth/body-writer typecheck).
import type { BodySink, WriteableBody } from '@plinth/writeable-body';
import { expectTypeOf } from 'vitest';
import {
  contentLength,
  defaultContentType,
  extendBodyWriter,
  file,
  ndjson,
  text,
  toWriteableBody,
  writeBodyToStream,
} from './index';

class Money {
  constructor(readonly cents: number) {}
}

// The class fixes T: the callbacks see a Money.
extendBodyWriter(Money, {
  length: (m) => {
    expectTypeOf(m).toEqualTypeOf<Money>();
    return String(m.cents).length;
  },
  write: (m, sink) => {
    expectTypeOf(m).toEqualTypeOf<Money>();
    expectTypeOf(sink).toEqualTypeOf<BodySink>();
  },
});
// So does a type guard.
extendBodyWriter((v: unknown): v is bigint => typeof v === 'bigint', {
  contentType: (v) => {
    expectTypeOf(v).toEqualTypeOf<bigint>();
    return 'text/plain';
  },
  write: () => {},
});
expectTypeOf(extendBodyWriter(Money, { write: () => {} })).toEqualTypeOf<() => void>();

expectTypeOf(toWriteableBody).returns.toEqualTypeOf<WriteableBody | undefined>();
expectTypeOf(defaultContentType).returns.toEqualTypeOf<string | undefined>();
expectTypeOf(contentLength).returns.toEqualTypeOf<number | undefined>();
expectTypeOf(writeBodyToStream).returns.toEqualTypeOf<undefined | Promise<void>>();
expectTypeOf(file('a.txt')).toEqualTypeOf<WriteableBody>();
expectTypeOf(ndjson([1])).toEqualTypeOf<WriteableBody>();

// text() takes strings and bytes only.
text(['a', new Uint8Array(1)]);
// @ts-expect-error numbers are not text chunks
text([1]);
