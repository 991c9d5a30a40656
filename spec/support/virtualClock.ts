import { VirtualAction, VirtualTimeScheduler } from 'rxjs';

/** A virtual-time scheduler and a way to move its clock to a given millisecond, running what falls due. */
export function virtualClock() {
  const scheduler = new VirtualTimeScheduler(VirtualAction, 0);
  const advanceTo = (time: number) => {
    scheduler.schedule(() => undefined, time - scheduler.now());
    scheduler.maxFrames = time;
    scheduler.flush();
  };
  return { scheduler, advanceTo };
}
