// Type tests, checked by `tsc` (pnpm --filter @plinth/body-writer typecheck).
import type { BodySink, WriteableBody } from '@plinth/writeable-body';
import { expectTypeOf } from 'vitest';
import {
  contentLength,
  defaultContentType,
  type ElementSerializer,
  extendBodyWriter,
  file,
  jsonArray,
  ndjson,
  type SequenceOptions,
  text,
  toWriteableBody,
  writeBodyToStream,
} from './index';
import { compileElementSchema } from './schema';

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

// jsonArray() and ndjson() take a serializer for their elements' type.
interface Row {
  id: number;
  name: string;
}
declare function rows(): AsyncGenerator<Row>;
const serializeRow: ElementSerializer<Row> = (row) => `{"id":${row.id}}`;
expectTypeOf(jsonArray(rows(), { serialize: serializeRow })).toEqualTypeOf<WriteableBody>();
expectTypeOf(ndjson(rows(), { serialize: serializeRow })).toEqualTypeOf<WriteableBody>();
expectTypeOf(jsonArray([1, 2].values())).toEqualTypeOf<WriteableBody>();
// A compiled schema is a serializer of the type it is told.
expectTypeOf(compileElementSchema<Row>({ type: 'object' })).toEqualTypeOf<ElementSerializer<Row>>();
expectTypeOf(compileElementSchema({ type: 'object' })).toEqualTypeOf<ElementSerializer<unknown>>();
ndjson(rows(), { serialize: compileElementSchema({ type: 'object' }) });
// @ts-expect-error a serializer of numbers does not take rows
ndjson(rows(), { serialize: (n: number) => String(n) });
// @ts-expect-error serialize returns a string
jsonArray(rows(), { serialize: (row: Row) => row.id });
const options: SequenceOptions<Row> = {};
expectTypeOf(options.serialize).toEqualTypeOf<ElementSerializer<Row> | undefined>();
