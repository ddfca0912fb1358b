// The trivial task of the thread-pool benchmark for poolifier: a ThreadWorker around it.
import { ThreadWorker } from 'poolifier';

export default new ThreadWorker(function increment(x) {
  return x + 1;
});
