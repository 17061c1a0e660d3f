// The autocannon worker: one long-lived process on the load cores that runs load
// tests on request, so that a run does not pay a Node start-up per measurement.
import autocannon from 'autocannon';

interface RunCommand {
  type: 'run';
  id: number;
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
}

process.on('message', (command: RunCommand) => {
  if (command.type !== 'run') return;
  autocannon({
    url: command.url,
    connections: command.connections,
    pipelining: command.pipelining,
    duration: command.duration,
  }).then(
    (r) =>
      process.send?.({
        type: 'result',
        id: command.id,
        ok: true,
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.errors + r.timeouts + r.non2xx,
      }),
    (error: unknown) =>
      process.send?.({ type: 'result', id: command.id, ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });
