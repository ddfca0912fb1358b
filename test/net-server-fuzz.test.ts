// A TCP server never dies of its input: while bad clients send random bytes, truncated and
// oversized lines, trickle bytes, stay silent, fail the key and leave mid-handler, and a
// flood opens many connections at once, the well-behaved clients' echoes stay right, each
// bad connection is reported with its reason, and memory stays bounded. The same run at a
// larger scale, by seed: scripts/net-fuzz-soak.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuzz } from './support/net-fuzz.js';

// A new seed each run, printed so that a failure can be replayed with the soak script.
const seed = Number(process.env.WEFT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

test(`the servers keep serving through bad input (seed ${seed})`, {
  timeout: 120_000,
}, async () => {
  // 2,000 connections at once (4,000 in the soak), from a child process: the good clients
  // here must go on being served while they come.
  const result = await fuzz({ seed, rounds: 3, goodClients: 4, flood: 2000 });
  assert.deepEqual(result.problems, [], `seed ${seed}: ${result.problems.join('; ')}`);
  assert.ok(result.echoes > 0);
  assert.ok(result.echoesDuringFlood > 0, 'the good clients got no echo while the flood ran');
  for (const reason of ['line-too-long', 'idle', 'authentication', 'disconnected'])
    assert.ok(
      (result.reports[reason] ?? 0) > 0,
      `no ${reason} report: ${JSON.stringify(result.reports)}`,
    );
  // A reader holds at most about a line and a socket chunk, whatever its peer sends.
  assert.ok(
    result.mostBuffered <= 1024 + 64 * 1024,
    `a reader buffered ${result.mostBuffered} bytes`,
  );
  // Loose: 2,000 connections and their tasks must not leave hundreds of MiB behind.
  assert.ok(result.heapGrowth < 256 * 1024 * 1024, `the heap grew by ${result.heapGrowth} bytes`);
});
