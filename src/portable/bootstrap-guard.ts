/**
 * The refusal of the bootstrapping guard (see bootstrap.ts): starting a thread, process or
 * pool worker from the top level of a module a worker imports to find its target.
 * @module
 */
import { RuntimeError } from '../errors.js';
import { importingModule } from './bootstrap.js';

/** Throws the bootstrapping `RuntimeError` when called from the top level of a module a worker is importing. */
export function refuseWhileImporting(what: string): void {
  const module = importingModule();
  if (module === undefined) return;
  throw new RuntimeError(
    `${what} was refused: this code runs while a weft worker imports ${module} to find its target, ` +
      'and starting a thread or process there would start one more from every one started. ' +
      'Put the code that starts threads, processes and pools under the main-module guard: ' +
      "`import { isMainModule } from 'weft'; if (isMainModule(import.meta)) { ... }` " +
      "(Python's `if __name__ == '__main__':`).",
  );
}
