// Whether the kernel is working, for outputs that act by themselves: a refresh
// element's timer (widgets/refresh.ts) skips its ticks while a run is still going instead of
// queueing more. main.ts starts following the kernel as soon as it exists; the module
// is tiny because it sits in the entry chunk, before the app is loaded.

import type { KernelListener, KernelState } from "../kernel/client";

let followed = false;
let idle = true;
const idleListeners = new Set<() => void>();

/** main.ts: follow this kernel's busy/ready state. */
export function followKernel(kernel: { state: KernelState; subscribe(listener: KernelListener): unknown }): void {
  followed = true;
  const follow = (state: KernelState) => {
    idle = state === "ready";
    if (idle) for (const listener of idleListeners) listener();
  };
  follow(kernel.state);
  kernel.subscribe({ state: follow });
}

/** Whether the kernel's state is known at all (false: nothing can wait on it). */
export function kernelFollowed(): boolean {
  return followed;
}

/** Whether the kernel is ready with nothing queued (false while booting, busy or dead). */
export function kernelIdle(): boolean {
  return idle;
}

/** Call `listener` each time the kernel's queue empties. */
export function onKernelIdle(listener: () => void): void {
  idleListeners.add(listener);
}
