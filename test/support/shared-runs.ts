// Machinery of test/property-shared.test.ts: a pool of long-lived party threads (started once
// per file: a thread costs far more to start than a run takes), one run of generated programs
// across them (a common start line, an optional terminate() mid-program, an end game that
// unblocks what only more items or a shutdown can), and the parties' logs read back as calls.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, type Thread } from '../../src/index.js';
import {
  ACQUIRED,
  type Assignment,
  CLOCK,
  CONTROL_WORDS,
  classify,
  END,
  FAILED,
  GO,
  ITEMS,
  LOG_RECORDS,
  OK,
  type Op,
  partyLoop,
  READY,
  RECORD,
  RELEASING,
  type Report,
  runProgram,
  START,
  VIOLATION,
  type World,
} from '../fixtures/shared-programs.js';
import { killParty, startParty } from './dead-party.js';

/** No run takes this long unless it hangs: a deadlock guard, not a timing. */
export const WALL_MS = 60_000;
/** With no record logged for this long, the end game looks for calls only it can finish. */
const STALL_MS = 10;

/** One generated run. */
export interface RunSpec {
  /** One program per worker thread (2 to 4 of them). */
  programs: Op[][];
  /** A program the main thread runs too (no blocking calls there), if any. */
  mainProgram: Op[] | undefined;
  /** Terminate worker `party` (modulo the workers) `afterMs` after the start. */
  kill: { party: number; afterMs: number } | undefined;
}

/** One call a party made, read back from its log. */
export interface Call {
  party: number;
  index: number;
  op: Op;
  start: number;
  end: number | undefined;
  outcome: number | undefined;
  value: number;
  acquired: { seq: number; abandoned: boolean; stamp: number } | undefined;
  releasing: number | undefined;
  /** The party was terminated (so the call may have stopped anywhere). */
  dead: boolean;
}

export interface Violation {
  party: number;
  index: number;
  what: number;
  value: number;
}

/** What a run leaves for the checks. */
export interface RunView {
  spec: RunSpec;
  world: World;
  control: Int32Array;
  calls: Call[];
  violations: Violation[];
  failures: string[];
  /** The party terminated, if one was. */
  dead: number | undefined;
}

/** The end game: called when no party logged anything for a while; returns whether it acted. */
export type Nudge = (view: RunView) => boolean;

const SPARES = 2;

/** A fixed set of party threads reused by every run; a terminated one is replaced by a spare. */
export class PartyPool {
  private readonly outbox = new Queue<Report>();
  private readonly slots: { thread: Thread; inbox: Queue<unknown> }[] = [];
  /** Started ahead, so that a run after a kill need not wait for a thread to start. */
  private readonly spares: { thread: Thread; inbox: Queue<unknown> }[] = [];
  private runs = 0;

  async start(size: number): Promise<void> {
    for (let i = 0; i < size; i++) this.slots.push(this.startOne());
    for (let i = 0; i < SPARES; i++) this.spares.push(this.startOne());
  }

  private startOne(): { thread: Thread; inbox: Queue<unknown> } {
    const inbox = new Queue<unknown>();
    return { thread: startParty('thread', partyLoop, [inbox, this.outbox]) as Thread, inbox };
  }

  /** Terminates the thread in `slot`; a spare takes its place and a new spare starts. */
  private async kill(slot: number): Promise<void> {
    const gone = this.slots[slot]!;
    await killParty(gone.thread);
    this.slots[slot] = this.spares.shift()!;
    this.spares.push(this.startOne());
  }

  /** Ends every party thread (they finish their loop). */
  async close(): Promise<void> {
    const all = [...this.slots, ...this.spares];
    await Promise.all(all.map((s) => s.inbox.put(null)));
    await Promise.all(all.map((s) => s.thread.join({ timeout: WALL_MS })));
  }

  /** Runs `spec` on `world` to its end; the views' checks are the caller's. */
  async run(spec: RunSpec, world: World, nudge: Nudge): Promise<RunView> {
    const run = ++this.runs;
    const workers = spec.programs.length;
    const parties = workers + (spec.mainProgram ? 1 : 0);
    const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
    const logs = Array.from(
      { length: parties },
      () => new Int32Array(new SharedArrayBuffer((1 + LOG_RECORDS * RECORD) * 4)),
    );
    const assignment = (party: number, ops: Op[]): Assignment => ({
      run,
      party,
      ops,
      world,
      control,
      log: logs[party]!,
    });
    for (let k = 0; k < workers; k++) {
      await this.slots[k]!.inbox.put(assignment(k, spec.programs[k]!));
    }
    const deadline = performance.now() + WALL_MS;
    while (Atomics.load(control, READY) < workers) {
      if (performance.now() > deadline)
        assert.fail('the party threads did not take their programs');
      await sleep(1);
    }
    Atomics.store(control, GO, 1);
    Atomics.notify(control, GO);
    const reported = new Set<number>();
    const failures: string[] = [];
    let dead: number | undefined;
    let killing: Promise<void> | undefined;
    if (spec.kill) {
      const victim = spec.kill.party % workers;
      killing = sleep(spec.kill.afterMs).then(() => {
        dead = victim;
        return this.kill(victim);
      });
    }
    let mainDone = spec.mainProgram === undefined;
    if (spec.mainProgram) {
      void runProgram(assignment(workers, spec.mainProgram)).then((report) => {
        failures.push(...report.failures.map((f) => `main: ${f}`));
        mainDone = true;
      });
    }
    const view = (): RunView => ({
      spec,
      world,
      control,
      ...readLogs(spec, logs, dead),
      failures,
      dead,
    });
    let seen = -1;
    let quietSince = performance.now();
    const living = () => [...Array(workers).keys()].filter((k) => k !== dead);
    while (!mainDone || living().some((k) => !reported.has(k)) || (killing && dead === undefined)) {
      await sleep(1);
      while (this.outbox.qsize() > 0) {
        const report = this.outbox.getNowait();
        if (report.run !== run) continue;
        reported.add(report.party);
        failures.push(...report.failures.map((f) => `party ${report.party}: ${f}`));
      }
      const now = performance.now();
      if (now > deadline) {
        assert.fail(`the run did not end within ${WALL_MS} ms: ${describeRun(view())}`);
      }
      const logged = Atomics.load(control, CLOCK);
      if (logged !== seen) {
        seen = logged;
        quietSince = now;
      } else if (now - quietSince > STALL_MS && nudge(view())) {
        quietSince = now;
      }
    }
    await killing;
    return view();
  }
}

/** Reads every party's log back as calls (in op order) and violations. */
function readLogs(
  spec: RunSpec,
  logs: Int32Array[],
  dead: number | undefined,
): { calls: Call[]; violations: Violation[] } {
  const calls: Call[] = [];
  const violations: Violation[] = [];
  logs.forEach((log, party) => {
    const ops = spec.programs[party] ?? spec.mainProgram!;
    const byIndex = new Map<number, Call>();
    const count = Atomics.load(log, 0);
    for (let r = 0; r < count; r++) {
      const [code, index, x, y, stamp] = log.subarray(1 + r * RECORD, 1 + (r + 1) * RECORD);
      let call = byIndex.get(index!);
      if (code === START) {
        call = {
          party,
          index: index!,
          op: ops[index!]!,
          start: stamp!,
          end: undefined,
          outcome: undefined,
          value: 0,
          acquired: undefined,
          releasing: undefined,
          dead: party === dead,
        };
        byIndex.set(index!, call);
        calls.push(call);
      } else if (code === VIOLATION) {
        violations.push({ party, index: index!, what: x!, value: y! });
      } else if (call === undefined) {
        assert.fail(`party ${party} logged code ${code} for op ${index} before its start`);
      } else if (code === END) {
        call.end = stamp;
        call.outcome = x;
        call.value = y!;
      } else if (code === ACQUIRED) {
        call.acquired = { seq: x!, abandoned: y === 1, stamp: stamp! };
      } else if (code === RELEASING) {
        call.releasing = stamp;
      }
    }
  });
  return { calls, violations };
}

/** A run's programs and what is still open in it, for a failure message. */
export function describeRun(view: RunView): string {
  const open = view.calls.filter((c) => c.end === undefined && !c.dead);
  return JSON.stringify(
    {
      spec: view.spec,
      dead: view.dead,
      open: open.map((c) => ({ party: c.party, index: c.index, op: c.op })),
      qsize: view.world.queue?.qsize(),
      locked: view.world.lock?.locked(),
      permits: view.world.semaphore?.value,
      items: view.world.condition && view.control[ITEMS],
      isSet: view.world.event?.isSet(),
      failures: view.failures,
    },
    null,
    1,
  );
}

/** What the main thread does to a run from outside the programs, logged as calls of party -1. */
export class EndGame<C> {
  readonly calls: Call[] = [];
  constructor(
    readonly config: C,
    private readonly control: Int32Array,
  ) {}

  /** Makes a call now, logged on the run's clock; returns its outcome. */
  call(op: Op, body: () => unknown): number {
    const call: Call = {
      party: -1,
      index: this.calls.length,
      op,
      start: Atomics.add(this.control, CLOCK, 1),
      end: undefined,
      outcome: undefined,
      value: 0,
      acquired: undefined,
      releasing: undefined,
      dead: false,
    };
    this.calls.push(call);
    try {
      const value = body();
      call.value = typeof value === 'number' ? value : 0;
      call.outcome = OK;
    } catch (err) {
      call.outcome = classify(err);
      if (call.outcome === FAILED) throw err;
    }
    call.end = Atomics.add(this.control, CLOCK, 1);
    return call.outcome;
  }
}
