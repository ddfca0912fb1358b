// The empty target as most programs write it: a portable function in a module that imports
// weft (its whole index), so the child loads the whole library along with the target.
import { portable } from 'weft';

export const ready = portable(import.meta.url, function ready() {
  return true;
});
