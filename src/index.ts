/**
 * weft — Python's concurrency model for TypeScript on Node.js.
 * @module
 */
import './kinds.js';

export { Actor, type ActorHandler, type ActorOptions } from './actor/actor.js';
export { ActorHandle } from './actor/actor-handle.js';
export type { Envelope } from './actor/mailbox.js';
export {
  TaggedActor,
  type TaggedMessage,
  type TagHandlers,
  type TagMap,
  type TagReply,
} from './actor/tagged-actor.js';
export { decodeError, type EncodedError, encodeError } from './codec/error-codec.js';
export { move } from './codec/move.js';
export type { WaitOptions } from './core/options.js';
export {
  type Dashboard,
  type DashboardOptions,
  DEFAULT_DASHBOARD_INTERVAL_MS,
  serveDashboard,
} from './dashboard/serve-dashboard.js';
export {
  ActorExit,
  AuthenticationError,
  BrokenBarrierError,
  BrokenPipeError,
  CancelledError,
  EOFError,
  HandleClosedError,
  LeaseLostError,
  LockOrderError,
  ModuleNotAllowedError,
  NoTaskError,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  QueueStateLostError,
  RedisUnavailableError,
  RuntimeError,
  TaskLostError,
  TimeoutError,
  WorkerCrashedError,
} from './errors.js';
export {
  Exchange,
  type ExchangeErrorHandler,
  type ExchangeOptions,
  getExchange,
  type Subscriber,
} from './exchange/exchange.js';
export { ExchangeHandle, type HandleSubscriber } from './exchange/exchange-handle.js';
export { BrokenExecutor, type CrashError } from './executor/broken-executor.js';
export {
  Executor,
  type ExecutorOptions,
  type ShutdownOptions,
  type SubmitOptions,
} from './executor/executor.js';
export type { MapOptions } from './executor/executor-map.js';
export {
  ProcessPoolExecutor,
  type ProcessPoolExecutorOptions,
} from './executor/process/process-pool-executor.js';
export {
  ThreadPoolExecutor,
  type ThreadPoolExecutorOptions,
} from './executor/thread/thread-pool-executor.js';
export { Future } from './futures/future.js';
export {
  asCompleted,
  type CompletedFuture,
  type DoneAndNotDone,
  type FuturesWaitOptions,
  type ReturnWhen,
  wait,
} from './futures/wait.js';
export { Manager, type ManagerOptions } from './manager/manager.js';
export { type DictKey, type DictSource, SharedDict } from './manager/shared-dict.js';
export { SharedList } from './manager/shared-list.js';
export { SharedNamespace } from './manager/shared-namespace.js';
export {
  type AuthKey,
  answerChallenge,
  type ChallengeOptions,
  deliverChallenge,
  type FrameIO,
} from './net/challenge.js';
export { Client, type ClientOptions } from './net/client.js';
export type { Address, ConnectionOptions } from './net/connection-setup.js';
export { LineReader, type ReadlineOptions } from './net/line-reader.js';
export { Listener, type ListenerOptions } from './net/listener.js';
export {
  BaseRequestHandler,
  DatagramRequestHandler,
  DatagramWriter,
  type Handler,
  type HandlerClass,
  StreamRequestHandler,
} from './net/request-handler.js';
export type { ServerShutdownOptions } from './net/server-lifecycle.js';
export type {
  Address as ServerAddress,
  ServerErrorHandler,
  ServerErrorInfo,
  ServerErrorReason,
  ServerOptions,
} from './net/server-options.js';
export { answerServerChallenge } from './net/socket-frames.js';
export { StreamWriter } from './net/stream-writer.js';
export { TCPServer } from './net/tcp-server.js';
export { UDPServer } from './net/udp-server.js';
export { Connection, Pipe } from './pipe/pipe.js';
export type { PipeEnd } from './pipe/pipe-end.js';
export { ConnectionHandle } from './pipe/pipe-handle.js';
export { AsyncResult, type ResultCallbacks } from './pool/async-result.js';
export type { BasePool, MapAsyncOptions, PoolOptions } from './pool/base-pool.js';
export { Pool } from './pool/pool.js';
export { ThreadPool } from './pool/thread-pool.js';
export { isMainModule } from './portable/main-module.js';
export {
  isPortable,
  type Portable,
  type PortableTarget,
  portable,
  type Target,
} from './portable/portable.js';
export { type AnyClass, fromPortable, portableState } from './portable/portable-class.js';
export { Process, type ProcessOptions } from './process/process.js';
export {
  activeChildren,
  cpuCount,
  currentProcess,
  type ProcessInfo,
  parentProcess,
} from './process/registry.js';
export { LifoQueue } from './queue/lifo-queue.js';
export { type Compare, naturalOrder, PriorityQueue } from './queue/priority-queue.js';
export { Queue } from './queue/queue.js';
export { QueueHandle } from './queue/queue-handle.js';
export {
  type AnyQueue,
  cameFrom,
  type ItemOf,
  type Selected,
  type SelectedFrom,
  select,
} from './queue/select.js';
export { SimpleQueue } from './queue/simple-queue.js';
export { disconnect, Handle, isHandle } from './remote/handle.js';
export type { HandleOf } from './remote/handle-types.js';
export { ActorScheduler, type GeneratorActor } from './scheduler/actor-scheduler.js';
export { Scheduler, type SchedulerOptions, type SchedulerTask } from './scheduler/scheduler.js';
export type { SyncWaitOptions } from './shared/blocking.js';
export type { SharedConditionLock } from './shared/condition-lock.js';
export { SharedArray } from './shared/shared-array.js';
export { SharedBarrier, type SharedBarrierOptions } from './shared/shared-barrier.js';
export { CONDITION_CAPACITY, SharedCondition } from './shared/shared-condition.js';
export type { SharedDataOptions } from './shared/shared-data.js';
export { SharedEvent } from './shared/shared-event.js';
export { SharedLock } from './shared/shared-lock.js';
export { SharedQueue } from './shared/shared-queue.js';
export type { SharedQueueOptions } from './shared/shared-queue-options.js';
export { SharedRLock } from './shared/shared-rlock.js';
export { SharedBoundedSemaphore, SharedSemaphore } from './shared/shared-semaphore.js';
export { SharedValue } from './shared/shared-value.js';
export type { ElementOf, TypeCode, ViewOf } from './shared/typecodes.js';
export { acquireAll } from './sync/acquire-all.js';
export { Barrier, type BarrierOptions } from './sync/barrier.js';
export { Condition } from './sync/condition.js';
export type { ConditionLock } from './sync/condition-protocol.js';
export { Event } from './sync/event.js';
export { Lock } from './sync/lock.js';
export { RLock } from './sync/rlock.js';
export { BoundedSemaphore, Semaphore } from './sync/semaphore.js';
export {
  BarrierHandle,
  ConditionHandle,
  EventHandle,
  type HandleGuard,
  LockHandle,
  SemaphoreHandle,
} from './sync/sync-handles.js';
export { type JoinAllOptions, joinAll } from './task/join-all.js';
export { type SleepOptions, sleep, withTimeout } from './task/sleep.js';
export { currentTask, type Spawn, spawn } from './task/spawn.js';
export { Task } from './task/task.js';
export { TaskGroup } from './task/task-group.js';
export { TaskLocal } from './task/task-local.js';
export { TaskPool } from './task/task-pool.js';
export {
  activeCount,
  currentThread,
  enumerate,
  mainThread,
  type ThreadInfo,
} from './thread/registry.js';
export { Thread, type ThreadOptions } from './thread/thread.js';
export { type WarmStart, type WarmStartOptions, warmStart } from './warm-start.js';
