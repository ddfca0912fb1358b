/**
 * The owner kinds of a manager's dict, list and namespace: what a handle (and the
 * manager's own local handle) may call on each store. Listed in OWNER_KINDS, so a store
 * crosses into a thread or process as any weft primitive does.
 * @module
 */
import type { MethodSpec, OwnerKind } from '../proxy/owner-kinds.js';
import type { HandleKind } from '../proxy/protocol.js';
import { DictStore, ListStore, NamespaceStore } from './stores.js';

type AnyMethod = (...args: unknown[]) => unknown;

/** Calls the store's method of that name with the arguments as they came, while the manager lives. */
function operation<T extends DictStore | ListStore | NamespaceStore>(name: string): MethodSpec<T> {
  return {
    waits: false,
    arity: 0,
    run(store, args) {
      store.live(name);
      return ((store as unknown as Record<string, AnyMethod>)[name] as AnyMethod).apply(
        store,
        args,
      );
    },
  };
}

/** A kind whose methods are the store's operations of those names (a closed list). */
function storeKind<T extends DictStore | ListStore | NamespaceStore>(
  kind: HandleKind,
  Store: abstract new (...args: never[]) => T,
  names: readonly string[],
): OwnerKind<T> {
  return {
    kind,
    matches: (value): value is T => value instanceof Store,
    info: (store) => ({ className: store.className, name: store.manager.name }),
    methods: Object.fromEntries(names.map((name) => [name, operation<T>(name)])),
  };
}

/** The manager's kinds, appended to OWNER_KINDS. */
export const MANAGER_KINDS: readonly OwnerKind[] = [
  storeKind('Dict', DictStore, [
    'get',
    'set',
    'has',
    'delete',
    'keys',
    'values',
    'entries',
    'size',
    'clear',
    'toMap',
    'update',
    'setDefault',
    'pop',
    'increment',
  ]),
  storeKind('List', ListStore, [
    'append',
    'extend',
    'get',
    'set',
    'length',
    'toArray',
    'slice',
    'pop',
    'insert',
    'remove',
    'indexOf',
    'clear',
  ]),
  storeKind('Namespace', NamespaceStore, ['get', 'set', 'has', 'delete', 'increment', 'toObject']),
] as OwnerKind[];
