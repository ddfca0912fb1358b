/**
 * What a class is made of, as far as crossing goes: the methods and accessors its
 * instances would lose as plain data, and whether it has `#private` members, which nothing
 * outside the class can read (so they cannot be sent) nor install without running its
 * constructor (so they cannot be rebuilt as pickle rebuilds, without one).
 * @module
 */

/** Any class, as the constraint of what may be marked portable. */
export type AnyClass = abstract new (...args: never[]) => unknown;

const sourceOf = (fn: object): string => Function.prototype.toString.call(fn);

/** Whether `fn` was written with `class` syntax (a user class, not a built-in or a function). */
export function isClassSyntax(fn: unknown): fn is AnyClass {
  return typeof fn === 'function' && /^class[\s{]/.test(sourceOf(fn));
}

const privateByClass = new WeakMap<AnyClass, boolean>();

/**
 * The first class in `cls`'s chain (itself, then the classes it extends) that declares a
 * `#private` member, or `undefined`. Found in the class's source text, the one place a
 * private name shows from outside: a `#` outside strings, templates and comments.
 */
export function classWithPrivates(cls: AnyClass): AnyClass | undefined {
  for (let c: AnyClass | null = cls; isClassSyntax(c); c = Object.getPrototypeOf(c)) {
    let has = privateByClass.get(c);
    if (has === undefined) {
      has = /#[\p{ID_Start}$_\\]/u.test(codeOnly(sourceOf(c)));
      privateByClass.set(c, has);
    }
    if (has) return c;
  }
  return undefined;
}

/** `source` with the contents of strings, templates and comments blanked out. */
function codeOnly(source: string): string {
  return source.replace(
    /\/\/[^\n]*|\/\*[\s\S]*?\*\/|'(?:\\[\s\S]|[^'\\])*'|"(?:\\[\s\S]|[^"\\])*"|`(?:\\[\s\S]|[^`\\])*`/g,
    ' ',
  );
}

const methodsByPrototype = new WeakMap<object, readonly string[]>();

/**
 * The methods and accessors (besides `constructor`) that `proto` and the prototypes above
 * it define, up to the first built-in one (`Object.prototype`, `Error.prototype`, ...):
 * what an instance would lose if it crossed as plain data.
 */
export function methodsFrom(proto: object): readonly string[] {
  const known = methodsByPrototype.get(proto);
  if (known !== undefined) return known;
  const names: string[] = [];
  for (let p: object | null = proto; p !== null && !isBuiltInPrototype(p); ) {
    for (const key of Reflect.ownKeys(p)) {
      if (key === 'constructor') continue;
      const property = Object.getOwnPropertyDescriptor(p, key)!;
      if (typeof property.value === 'function' || property.get !== undefined || property.set) {
        names.push(typeof key === 'symbol' ? `[${key.description ?? 'symbol'}]` : key);
      }
    }
    p = Object.getPrototypeOf(p);
  }
  methodsByPrototype.set(proto, names);
  return names;
}

/** Whether `proto` belongs to a built-in class (its constructor is native code). */
function isBuiltInPrototype(proto: object): boolean {
  const ctor = Object.hasOwn(proto, 'constructor')
    ? (proto as { constructor: unknown }).constructor
    : undefined;
  return (
    typeof ctor === 'function' && !isClassSyntax(ctor) && /\[native code\]/.test(sourceOf(ctor))
  );
}

/**
 * The built-in class `cls` extends (`Map`, `Array`, ...), other than `Object` and the
 * `Error` classes, or `undefined`: an instance made without its constructor lacks what that
 * built-in keeps inside it.
 */
export function builtInBaseOf(cls: AnyClass): AnyClass | undefined {
  for (let c: unknown = Object.getPrototypeOf(cls); typeof c === 'function'; ) {
    if (c === Function.prototype) return undefined;
    if (!isClassSyntax(c) && /\[native code\]/.test(sourceOf(c))) {
      return c === Object || isErrorClass(c as AnyClass) ? undefined : (c as AnyClass);
    }
    c = Object.getPrototypeOf(c);
  }
  return undefined;
}

/** Whether `cls` is `Error` or extends it. */
export function isErrorClass(cls: AnyClass): boolean {
  return cls === Error || cls.prototype instanceof Error;
}
