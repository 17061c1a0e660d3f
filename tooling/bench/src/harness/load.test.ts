import { describe, expect, it } from 'vitest';
import { parseWrk } from './load';

const output = `Running 3s test @ http://127.0.0.1:3999/
  1 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.16ms  448.64ms   1.91s    81.92%
  Latency Distribution
     50%   69.02ms
     75%  611.12ms
     90%    1.08s 
     99%    1.65s 
  19540 requests in 2.04s, 3.21MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   9574.62
Transfer/sec:      1.57MB
`;

describe('parseWrk', () => {
  it('reads requests/s, percentiles in ms and every kind of error', () => {
    expect(parseWrk(output)).toEqual({
      tool: 'wrk',
      rps: 9574.62,
      p50: 69.02,
      p99: 1650,
      errors: 9,
    });
  });

  it('turns the 0.00us latencies of pipelined runs into NaN', () => {
    const r = parseWrk(output.replace('1.65s', '0.00us'));
    expect(r.p99).toBeNaN();
  });

  it('fails loudly on output without a rate', () => {
    expect(() => parseWrk('unable to connect')).toThrow(/wrk printed no Requests\/sec/);
  });
});
