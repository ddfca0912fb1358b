// Runs the built `weft map` (dist/cli/weft.js) as a child process, as a user runs it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEFT = fileURLToPath(new URL('../../dist/cli/weft.js', import.meta.url));
/** The functions the map tests call, as `MODULE#` (append the export's name). */
export const FUNCTIONS = `${fileURLToPath(new URL('../fixtures/map-functions.mjs', import.meta.url))}#`;

export interface MapRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `weft map`: its process and how it ends. */
export interface MapChild {
  readonly child: ChildProcess;
  readonly ended: Promise<MapRun>;
}

/** Starts `weft map ...args`, writing `stdin` (if given) to its input; killed after `timeout` ms. */
export function startMap(args: readonly string[], stdin?: string, timeout = 60_000): MapChild {
  const child = spawn(process.execPath, [WEFT, 'map', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  child.stdin.on('error', () => {}); // a child that exits before reading all of it
  if (stdin !== undefined) child.stdin.end(stdin);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
  const ended = new Promise<MapRun>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, ended };
}

/** Runs `weft map ...args` to its end. */
export function weftMap(args: readonly string[], stdin?: string): Promise<MapRun> {
  return startMap(args, stdin).ended;
}

/** A temporary folder for input and output files, removed by `remove()`. */
export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), 'weft-map-'));

  /** Writes `text` to `name` in the folder and returns its path. */
  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(name: string): string {
    return readFileSync(join(this.dir, name), 'utf8');
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `values` as input text: one JSON value a line. */
export function jsonLines(values: readonly unknown[]): string {
  return values.map((value) => `${JSON.stringify(value)}\n`).join('');
}
