import type { Subscription } from 'rxjs';

/**
 * Lets the process exit while the timer is pending. RxJS's `asyncScheduler` keeps the Node timer handle in the
 * action's `id`; virtual-time schedulers use plain numbers there, which have nothing to unref.
 */
export function unrefTimer(action: Subscription): Subscription {
  const handle = (action as Subscription & { id?: unknown }).id;
  if (
    typeof handle === 'object' &&
    handle !== null &&
    'unref' in handle &&
    typeof handle.unref === 'function'
  ) {
    (handle as { unref(): void }).unref();
  }
  return action;
}
