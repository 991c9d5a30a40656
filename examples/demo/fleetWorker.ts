/**
 * One worker of `npm run demo:fleet`: calls the flaky service through a breaker whose state lives in Redis,
 * and reports each call and each transition to the demo over IPC. Started by fleet.ts, not by hand.
 */
import { Redis } from 'ioredis';
import {
  catchError,
  defer,
  firstValueFrom,
  lastValueFrom,
  map,
  mergeMap,
  of,
  take,
  tap,
  timer,
} from 'rxjs';
import { circuitBreaker } from '../../src/index.js';
import { redisStore } from '../../src/redis/index.js';
import type { StartMessage, WorkerConfig, WorkerMessage } from './fleetProtocol.js';
import { epochNow } from './fleetProtocol.js';
import type { Outcome } from './palette.js';
import { requestService } from './requestService.js';

const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
// Started by the fleet demo: if it goes away, so does this worker.
process.once('disconnect', () => process.exit(1));
const send = (message: WorkerMessage) => process.send?.(message);

const redis = new Redis(config.redisUrl);
const breaker = circuitBreaker({
  name: 'flaky-service',
  failMax: config.failMax,
  resetTimeout: config.resetTimeout,
  store: redisStore(redis, { namespace: 'fleet-demo' }),
});
breaker.transition$.subscribe((transition) =>
  send({ kind: 'transition', at: epochNow(), ...transition }),
);
breaker.events$.subscribe((event) => {
  if (event.type === 'store-error') send({ kind: 'store-error', message: String(event.error) });
});

// The first call waits for the store's first read of the shared state; it does not call the service.
await firstValueFrom(breaker.execute(() => Promise.resolve('ready')));
send({ kind: 'ready' });
const { startAt } = await new Promise<StartMessage>((resolve) => process.once('message', resolve));

const period = 1000 / config.rate;
await lastValueFrom(
  timer(new Date(startAt + config.phaseMs), period).pipe(
    take(config.duration * config.rate),
    mergeMap((tick) => {
      let reachedService = false;
      const request$ = defer(() => {
        reachedService = true;
        return requestService(config.serviceUrl, 2000);
      });
      return request$.pipe(
        breaker,
        map((): Outcome => 'success'),
        catchError(() => of<Outcome>(reachedService ? 'failure' : 'rejected')),
        tap((outcome) =>
          send({
            kind: 'call',
            second: Math.floor(tick / config.rate),
            slot: tick % config.rate,
            outcome,
            at: epochNow(),
          }),
        ),
      );
    }),
  ),
  { defaultValue: undefined },
);

breaker.dispose();
await redis.quit();
send({ kind: 'done' });
process.removeAllListeners('disconnect');
process.disconnect();
