/**
 * How a manager's dict, list and namespace are reached: what a handle (and the manager's
 * own local handle) may call on each store. Registered as remote kinds, so a store crosses
 * into a thread or process as any weft primitive does.
 * @module
 */
import type { HandleKind } from '../codec/descriptor.js';
import type { HandleLink } from '../remote/handle.js';
import { type MethodSpec, registerRemoteKind, type ServedKind } from '../remote/served-kind.js';
import { dictLoanMethods, heldWhileLent } from './dict-loan.js';
import { SharedDict } from './shared-dict.js';
import { SharedList } from './shared-list.js';
import { SharedNamespace } from './shared-namespace.js';
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

/**
 * Registers a kind whose methods are the store's operations of those names (a closed list),
 * and the `extra` methods given.
 */
function registerStore<T extends DictStore | ListStore | NamespaceStore>(
  kind: HandleKind,
  Store: abstract new (...args: never[]) => T,
  HandleClass: new (link: HandleLink) => unknown,
  names: readonly string[],
  extra: Readonly<Record<string, MethodSpec<T>>> = {},
  wrap: (spec: MethodSpec<T>, name: string) => MethodSpec<T> = (spec) => spec,
): void {
  const methods: Record<string, MethodSpec<T>> = { ...extra };
  for (const name of names) methods[name] = operation<T>(name);
  for (const name of Object.keys(methods)) methods[name] = wrap(methods[name]!, name);
  const served: ServedKind<T> = {
    kind,
    info: (store) => ({ className: store.className, name: store.manager.name }),
    methods,
  };
  registerRemoteKind(Store, served, HandleClass);
}

/** A set, answered `true`: the handle's next sets may be sent ahead (dict-sets-ahead.ts). */
const set: MethodSpec<DictStore> = {
  waits: false,
  arity: 0,
  run(store, [key, value]) {
    store.live('set');
    store.set(key, value);
    return true;
  },
};

registerStore(
  'Dict',
  DictStore,
  SharedDict,
  [
    'get',
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
  ],
  { set, ...dictLoanMethods },
  // While the dict is lent to one handle (dict-loan.ts), everyone else's calls wait for it;
  // not the loan's own calls (a borrow is refused rather than held).
  (spec, name) => (Object.hasOwn(dictLoanMethods, name) ? spec : heldWhileLent(spec)),
);
registerStore('List', ListStore, SharedList, [
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
]);
registerStore('Namespace', NamespaceStore, SharedNamespace, [
  'get',
  'set',
  'has',
  'delete',
  'increment',
  'toObject',
]);
