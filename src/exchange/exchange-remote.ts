/**
 * How an `Exchange` is reached from another thread or process: the methods its owner serves
 * to an `ExchangeHandle`.
 * @module
 */
import { RuntimeError } from '../errors.js';
import {
  type ConnectionScope,
  getter,
  plain,
  registerRemoteKind,
  type ServedKind,
} from '../remote/served-kind.js';
import { Exchange, type Subscriber } from './exchange.js';
import { ExchangeHandle } from './exchange-handle.js';

/**
 * An exchange's subscribers cross as handles too. The handle names each subscriber by a
 * number, so `detach` and `has` find the very object `attach` added; what a handle
 * attached is detached when it goes away.
 */
const exchangeServed: ServedKind<Exchange> = {
  kind: 'Exchange',
  info: (exchange) => ({ className: exchange.constructor.name, name: exchange.name }),
  methods: {
    send: plain('send', 1),
    size: getter('size'),
    attach: {
      waits: false,
      arity: 2,
      run(exchange, [id, subscriber], _opts, scope) {
        const sub = subscriberOf(scope, id as number, subscriber);
        exchange.attach(sub);
        scope.onClose(() => {
          if (exchange.has(sub)) exchange.detach(sub);
        });
      },
    },
    detach: {
      waits: false,
      arity: 1,
      run(exchange, [id], _opts, scope) {
        const sub = scope.objects.get(id as number) as Subscriber<unknown> | undefined;
        if (sub === undefined || !exchange.has(sub)) {
          throw new RuntimeError(`${exchange.name}.detach(): that subscriber is not attached`);
        }
        exchange.detach(sub);
      },
    },
    has: {
      waits: false,
      arity: 1,
      run(exchange, [id], _opts, scope) {
        const sub = scope.objects.get(id as number) as Subscriber<unknown> | undefined;
        return sub !== undefined && exchange.has(sub);
      },
    },
    subscribe: {
      waits: false,
      arity: 2,
      run(exchange, [token, pairs], _opts, scope) {
        const subs = (pairs as [number, unknown][]).map(([id, subscriber]) =>
          subscriberOf(scope, id, subscriber),
        );
        const subscription = exchange.subscribe(...subs);
        scope.objects.set(token as number, subscription);
        scope.onClose(() => subscription[Symbol.dispose]());
      },
    },
    unsubscribe: {
      waits: false,
      arity: 1,
      run(_exchange, [token], _opts, scope) {
        const subscription = scope.objects.get(token as number) as Disposable | undefined;
        scope.objects.delete(token as number);
        subscription?.[Symbol.dispose]();
      },
    },
  },
};

/** The subscriber a handle calls `id`: the one it sent the first time, kept for the connection. */
function subscriberOf(scope: ConnectionScope, id: number, sent: unknown): Subscriber<unknown> {
  if (sent !== undefined || id === 0) {
    // Sent now: the first time, or again after a first attempt failed.
    if (id !== 0) scope.objects.set(id, sent);
    return sent as Subscriber<unknown>;
  }
  const known = scope.objects.get(id);
  return known as Subscriber<unknown>;
}

registerRemoteKind(Exchange, exchangeServed, ExchangeHandle);
