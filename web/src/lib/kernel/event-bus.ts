/**
 * A typed event bus (STYLE "Features talk through a typed event bus"): features announce what
 * happened and listen for what others announced, instead of calling each other's private methods.
 * `on` takes a map of handlers and returns the cleanup that removes them all.
 */
import { createLogger } from '../log';

const log = createLogger('bus');

/** A listener of one event type. */
export type Listener<T> = (payload: T) => void;

/** Handlers for some of the events of `Events`. */
export type Handlers<Events> = { [K in keyof Events]?: Listener<Events[K]> };

/** Synchronous, in-order, typed publish/subscribe. A throwing listener is logged and skipped. */
export class EventBus<Events extends object> {
  #listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Adds the handlers; the returned function removes them. */
  on(handlers: Handlers<Events>): () => void {
    const added: [keyof Events, Listener<never>][] = [];
    for (const type of Object.keys(handlers) as (keyof Events)[]) {
      const listener = handlers[type] as Listener<never> | undefined;
      if (!listener) continue;
      let set = this.#listeners.get(type);
      if (!set) {
        set = new Set();
        this.#listeners.set(type, set);
      }
      set.add(listener);
      added.push([type, listener]);
    }
    return () => {
      for (const [type, listener] of added) this.#listeners.get(type)?.delete(listener);
    };
  }

  /** Calls every listener of `type`, in the order they were added. */
  emit<K extends keyof Events>(type: K, payload: Events[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set] as Listener<Events[K]>[]) {
      try {
        listener(payload);
      } catch (error) {
        log.error(`a listener of '${String(type)}' failed`, error);
      }
    }
  }
}
