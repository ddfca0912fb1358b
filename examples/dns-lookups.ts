// gevent's classic example: resolve several names concurrently, wait for all of them with a
// timeout, print the answers in order. Two are numeric addresses, which the system resolver
// answers itself (no hosts file, no DNS server); one lookup asks a DNS server that never
// answers, so the timeout has work to do.
import { createSocket } from 'node:dgram';
import { lookup, Resolver } from 'node:dns/promises';
import { currentTask, joinAll, spawn } from 'weft';

/** Resolves `host` through the system resolver, IPv4 or IPv6 as asked. */
async function resolve(host: string, family: 4 | 6 = 4): Promise<string> {
  const { address } = await lookup(host, { family });
  return address;
}

// A "DNS server" that receives queries and never replies.
const silentServer = createSocket('udp4');
await new Promise<void>((ready) => silentServer.bind(0, '127.0.0.1', ready));

/** Asks the silent server; a kill of the task cancels the query and ends the task with the kill reason. */
async function askSilentServer(host: string): Promise<string> {
  const resolver = new Resolver({ timeout: 60_000, tries: 1 }); // no giving up before the kill
  resolver.setServers([`127.0.0.1:${silentServer.address().port}`]);
  const { signal } = currentTask()!;
  signal.addEventListener('abort', () => resolver.cancel(), { once: true });
  try {
    const [address] = await resolver.resolve4(host);
    return address!;
  } catch (error) {
    signal.throwIfAborted(); // cancelled by the kill: end as killed, not as a DNS failure
    throw error;
  }
}

const jobs = [
  spawn.named('127.0.0.1', resolve, '127.0.0.1'),
  spawn.named('::1', resolve, '::1', 6),
  spawn.named('slow.example', askSilentServer, 'slow.example'),
];

// The numeric lookups always finish, however busy the machine; then all of them get at most
// 100 ms more, which the one waiting for the silent server never uses.
await joinAll(jobs.slice(0, 2));
const finished = await joinAll(jobs, { timeout: 100 });
console.log(`${finished.length} of ${jobs.length} lookups finished (the rest had 100 ms more)`);
for (const job of jobs) {
  if (!job.ready()) console.log(`${job.name} -> no answer in time`);
  else if (job.successful()) console.log(`${job.name} -> ${job.value}`);
  else console.log(`${job.name} -> failed: ${(job.exception as Error).message}`);
}

// Stop the lookup that is still waiting (this cancels its DNS query), then clean up.
const late = jobs.filter((job) => !job.ready());
await Promise.all(late.map((job) => job.kill()));
console.log(`killed ${late.length} late lookup(s): ${late.map((job) => job.name).join(', ')}`);
silentServer.close();
