/**
 * An AbortSignal that also reads a shared cancel flag. Node code runs synchronously inside the
 * worker, so a cancel *message* waits until the node returns; a flag in a SharedArrayBuffer is
 * seen by the node's own `signal.aborted` checks at once. (Needs cross-origin isolation, which the
 * studio's COOP/COEP headers provide; without it the caller keeps the plain signal.)
 */
export function createCancelFlag(): Int32Array | undefined {
  if (typeof SharedArrayBuffer === "undefined") return undefined;
  if (typeof crossOriginIsolated !== "undefined" && !crossOriginIsolated) return undefined;
  return new Int32Array(new SharedArrayBuffer(4));
}

export function raiseCancelFlag(flag: Int32Array): void {
  Atomics.store(flag, 0, 1);
}

export function withCancelFlag(signal: AbortSignal, flag: Int32Array): AbortSignal {
  const flagged = () => Atomics.load(flag, 0) === 1;
  return new Proxy(signal, {
    get(target, prop) {
      if (prop === "aborted") return target.aborted || flagged();
      if (prop === "throwIfAborted") {
        return () => {
          if (flagged() && !target.aborted) throw new DOMException("cancelled", "AbortError");
          target.throwIfAborted();
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      // Methods must run on the real signal: EventTarget refuses any other `this`.
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
