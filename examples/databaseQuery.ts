/**
 * A database query through a circuit breaker, with better-sqlite3 and an in-memory database.
 *
 * `breaker.wrap` turns the query function into one that returns an Observable and runs through the breaker;
 * a query that throws is a failed call. When the database goes away, two failures open the circuit and the
 * next query is refused without touching the database.
 *
 * Run: node --import tsx examples/databaseQuery.ts
 */
import Database from 'better-sqlite3';
import { catchError, concatMap, from, lastValueFrom, map, of } from 'rxjs';
// In an application: import { circuitBreaker, isCircuitBreakerError } from 'rxjs-circuit-breaker';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';

interface Customer {
  readonly id: number;
  readonly name: string;
}

const db = new Database(':memory:');
db.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
const insert = db.prepare<[number, string]>('INSERT INTO customers (id, name) VALUES (?, ?)');
insert.run(1, 'Ada');
insert.run(2, 'Grace');
const selectCustomer = db.prepare<[number], Customer>(
  'SELECT id, name FROM customers WHERE id = ?',
);

const breaker = circuitBreaker({ name: 'customers-db', failMax: 2, resetTimeout: 30_000 });

let queriesRun = 0;
// better-sqlite3 is synchronous: the query runs when the Observable is subscribed, inside the breaker.
const findCustomer = breaker.wrap((id: number) => {
  queriesRun += 1;
  return of(selectCustomer.get(id) ?? null);
});

const lookUp = (id: number) => {
  if (id === 3) db.close(); // the database goes away: every query now throws
  return findCustomer(id).pipe(
    map((customer) => `customer ${id}: ${customer ? customer.name : 'not found'}`),
    catchError((error: unknown) => {
      if (isCircuitBreakerError(error) && error.cause === undefined) {
        return of(`customer ${id}: refused without querying the database (${error.message})`);
      }
      // The query that trips the circuit fails with a CircuitBreakerError whose `cause` is the original error.
      const cause = isCircuitBreakerError(error) ? error.cause : error;
      return of(`customer ${id}: query failed (${String(cause)})`);
    }),
    map((line) => `${line}; circuit ${breaker.state}`),
  );
};

await lastValueFrom(
  from([1, 2, 3, 4, 5]).pipe(
    concatMap(lookUp),
    map((line) => console.log(line)),
  ),
);
console.log(`5 lookups, ${queriesRun} reached the database`);
breaker.dispose();
