// curl as the download client: what a user measures a file server with
// (`curl -o /dev/null`), run on the load cores.
import { spawn, spawnSync } from 'node:child_process';
import { type Affinity, pinnedCommand } from './affinity';

/** One curl download. @internal */
export interface CurlDownload {
  status: number;
  bytes: number;
  /** Seconds from the start to the first body byte, and to the last. */
  ttfb: number;
  total: number;
}

/** True when a curl binary answers. @internal */
export function hasCurl(): boolean {
  return spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Parses curl's `-w '%{http_code} %{size_download} %{time_starttransfer} %{time_total}'`. @internal */
export function parseCurlWrite(out: string): CurlDownload {
  const [status, bytes, ttfb, total] = out.trim().split(/\s+/).map(Number);
  if ([status, bytes, ttfb, total].some((v) => v === undefined || !Number.isFinite(v))) {
    throw new Error(`curl printed ${JSON.stringify(out.slice(0, 200))}`);
  }
  return { status: status!, bytes: bytes!, ttfb: ttfb!, total: total! };
}

/** `curl -o /dev/null url` on the load cores; rejects when curl fails. @internal */
export function curlDownload(
  url: string,
  affinity: Affinity,
  timeoutSec = 120,
): Promise<CurlDownload> {
  const [command, args] = pinnedCommand(
    'curl',
    [
      '--silent',
      '--show-error',
      '--max-time',
      String(timeoutSec),
      '--output',
      '/dev/null',
      '--write-out',
      '%{http_code} %{size_download} %{time_starttransfer} %{time_total}',
      url,
    ],
    affinity.loadCpus,
  );
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`curl ${url} exited with ${code}: ${stderr.trim()}`));
      else {
        try {
          resolve(parseCurlWrite(stdout));
        } catch (error) {
          reject(error);
        }
      }
    });
  });
}
