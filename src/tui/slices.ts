/**
 * Long reads on the UI thread (a search or a filter through millions of
 * entries) run in slices of a few milliseconds with the event loop free in
 * between, so keys are still read and the screen still drawn, and a job can
 * be stopped at once.
 */
export interface SliceJob {
  cancel(): void;
  readonly cancelled: boolean;
}

/** Slice length: short enough that a key press waits no more than this. */
const SLICE_MS = 15;

/**
 * Calls `step(deadline)` until it returns true (done), each call expected to
 * stop at `deadline` (a Date.now() value); then `onDone`, unless cancelled.
 */
export function runInSlices(step: (deadline: number) => boolean, onDone: () => void, onCancel?: () => void): SliceJob {
  const job = {
    cancelled: false,
    cancel() {
      if (job.cancelled) return;
      job.cancelled = true;
      onCancel?.();
    },
  };
  const tick = () => {
    if (job.cancelled) return;
    if (step(Date.now() + SLICE_MS)) onDone();
    else setImmediate(tick);
  };
  setImmediate(tick);
  return job;
}
