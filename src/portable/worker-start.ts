/**
 * Starting a weft worker so that TypeScript loads in it wherever the program itself runs
 * TypeScript. A Worker inherits the parent's `execArgv`, but a module loader given there
 * does not always take effect in the worker: tsx registers its hooks in workers only on
 * the Node versions whose worker hooks it trusts (not Node 20), and `--loader` hooks are
 * not applied to workers on Node 20 at all. So weft takes the loader out of the worker's
 * `execArgv` and registers it itself, first thing in the worker, before its entry (which
 * is itself TypeScript when weft runs from its sources) and the user's task modules load.
 * Other flags pass through unchanged (on Node >= 22.6, whose type stripping needs no loader,
 * a TypeScript program may run without tsx).
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** A loader to register in the worker: tsx through its API, or a hooks module by specifier. */
export type LoaderRegistration =
  | { readonly tsxApi: string }
  | { readonly hooks: string; readonly parentURL: string };

interface Launch {
  /** The parent's execArgv without the loaders weft registers itself. */
  readonly execArgv: string[];
  readonly loaders: LoaderRegistration[];
}

/** Where a worker started by `startWorker` finds what to register (a copy for its own workers). */
const INHERITED: unique symbol = Symbol.for('weft.worker.loaders');
const BOOT_KEY = '$weftWorkerStart';

let launch: Launch | undefined;

/**
 * `new Worker(entry, options)`, with the program's TypeScript loader (tsx, or a
 * `--loader`/`--experimental-loader` hooks module) active in the worker before `entry`
 * loads. `options.workerData`, if given, must be an object (one key is added to it).
 */
export function startWorker(entry: URL, options: WorkerOptions = {}): Worker {
  const { execArgv, loaders } = (launch ??= findLoaders());
  if (loaders.length === 0) return new Worker(entry, options);
  const workerData = {
    ...(options.workerData as object),
    [BOOT_KEY]: { entry: entry.href, loaders },
  };
  return new Worker(BOOTSTRAP, { ...options, eval: true, execArgv, workerData });
}

// Runs in the new worker, as a script or as a module (an inherited --input-type decides):
// register the loaders, then load the entry.
const BOOTSTRAP = `(async () => {
  const { workerData } = await import('node:worker_threads');
  const { register } = await import('node:module');
  const { entry, loaders } = workerData[${JSON.stringify(BOOT_KEY)}];
  globalThis[Symbol.for('weft.worker.loaders')] = loaders;
  for (const loader of loaders) {
    if (loader.tsxApi !== undefined) (await import(loader.tsxApi)).register();
    else register(loader.hooks, loader.parentURL);
  }
  await import(entry);
})().catch((error) => process.nextTick(() => { throw error; }));
`;

/** The loaders of this program: from its execArgv, or those inherited by this worker. */
function findLoaders(): Launch {
  const inherited = (globalThis as { [INHERITED]?: LoaderRegistration[] })[INHERITED];
  if (inherited !== undefined) return { execArgv: process.execArgv, loaders: inherited };
  const execArgv: string[] = [];
  const loaders: LoaderRegistration[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^(--import|--loader|--experimental-loader)(?:=(.*))?$/.exec(arg);
    const specifier = match === null ? undefined : (match[2] ?? argv[i + 1]);
    const loader = specifier === undefined ? undefined : registrationOf(match![1]!, specifier);
    if (loader === undefined) {
      execArgv.push(arg);
      continue;
    }
    loaders.push(loader);
    if (match![2] === undefined) i++; // the specifier was the next argument
  }
  return { execArgv, loaders };
}

/** What to register in a worker for `--import`/`--loader` `specifier`, if weft must do it. */
function registrationOf(flag: string, specifier: string): LoaderRegistration | undefined {
  const cwd = pathToFileURL(join(process.cwd(), '/')).href;
  if (/^tsx(\/|$)/.test(specifier) || /[\\/]tsx[\\/]dist[\\/]/.test(specifier)) {
    const tsxApi = tsxApiOf(specifier, cwd);
    if (tsxApi !== undefined) return { tsxApi };
  }
  // Any other --loader is a hooks module: register it as given. Other --import modules
  // run again in the worker through execArgv, as Node does.
  if (flag !== '--import') return { hooks: specifier, parentURL: cwd };
  return undefined;
}

/** The URL of tsx's ESM API (`tsx/esm/api`), found from where the program loads tsx. */
function tsxApiOf(specifier: string, cwd: string): string | undefined {
  const from = specifier.startsWith('file:')
    ? specifier
    : isAbsolute(specifier)
      ? pathToFileURL(specifier).href
      : cwd;
  try {
    const manifestPath = createRequire(from).resolve('tsx/package.json');
    const manifest = createRequire(from)('tsx/package.json') as {
      exports?: Record<string, string | { import?: string | { default?: string } }>;
    };
    const api = manifest.exports?.['./esm/api'];
    const esm = typeof api === 'string' ? api : api?.import;
    const file = typeof esm === 'string' ? esm : esm?.default;
    if (file === undefined) return undefined;
    return pathToFileURL(join(dirname(manifestPath), file)).href;
  } catch {
    return undefined;
  }
}
