// The trivial task of the thread-pool benchmark for workerpool, which calls methods
// registered by name.
import workerpool from 'workerpool';

workerpool.worker({
  increment(x) {
    return x + 1;
  },
});
