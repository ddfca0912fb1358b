// Runs a bench module (TypeScript) in a process whose workers and children run plain
// JavaScript: tsx is registered through its API here, not given as a flag, so weft finds no
// loader in `process.execArgv` to pass on, and its threads and processes start as a program
// run from dist/ does.
//
//   node bench/plain.mjs <module.ts> [args ...]
import { register } from 'tsx/esm/api';

register();
const [module] = process.argv.splice(2, 1);
await import(new URL(module, `file://${process.cwd()}/`).href);
