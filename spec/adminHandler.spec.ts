import http from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { throwError } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker, createBreakerRegistry } from '../src/index.js';
import type { BreakerRegistry, CircuitBreaker } from '../src/index.js';
import { adminHandler } from '../src/admin/index.js';
import type { AdminAction, AdminHandlerOptions } from '../src/admin/index.js';
import { listen } from './support/listen.js';
import { useCleanups } from './support/useCleanups.js';

const cleanups = useCleanups();
const token = 'Bearer s3cret';
const asOperator = { authorization: token };
const asJson = { ...asOperator, 'content-type': 'application/json' };
/** Lets the operator token through, and records the actions it is asked about. */
const authorize =
  (asked: AdminAction[] = []) =>
  (request: http.IncomingMessage, action: AdminAction) => {
    asked.push(action);
    return request.headers.authorization === token;
  };

let registry: BreakerRegistry;
let pricing: CircuitBreaker;

function breaker(name: string) {
  const created = circuitBreaker({ name, registry, failMax: 1, tracer: false, meter: false });
  cleanups.push(() => created.dispose());
  return created;
}

beforeEach(() => {
  registry = createBreakerRegistry();
  pricing = breaker('pricing');
});

async function serve(options: Partial<AdminHandlerOptions> = {}) {
  const server = http.createServer(adminHandler(registry, { authorize: authorize(), ...options }));
  const { origin, close } = await listen(server);
  cleanups.push(close);
  return origin;
}

const post = (url: string, init: RequestInit = {}) =>
  fetch(url, { method: 'POST', headers: asJson, body: '{}', ...init });

describe('adminHandler: options', () => {
  it('requires authorize, naming it, and checks basePath and the registry', () => {
    expect(() => adminHandler(registry, {} as AdminHandlerOptions)).toThrow(
      /"authorize" is required/,
    );
    expect(() => adminHandler(registry, { authorize: () => true, basePath: 'ops' })).toThrow(
      /"basePath" must be a path starting with "\/"/,
    );
    expect(() => adminHandler(registry, { authorize: () => true, basePath: '/ops/' })).toThrow(
      /basePath/,
    );
    expect(() => adminHandler({} as BreakerRegistry, { authorize: () => true })).toThrow(
      /registry/,
    );
    // A typo must not leave the controls on.
    expect(() =>
      adminHandler(registry, { authorize: () => true, readonly: true } as AdminHandlerOptions),
    ).toThrow('adminHandler: unknown option "readonly" (did you mean "readOnly"?)');
    expect(() => adminHandler(registry, { authorize: 'yes' } as never)).toThrow(
      /"authorize" must be a function/,
    );
  });
});

describe('adminHandler: routes', () => {
  it('GET / serves the self-contained dashboard page', async () => {
    const response = await fetch(await serve(), { headers: asOperator });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<title>Circuit breakers</title>');
    expect(page).toContain('const readOnly = false;');
    // Nothing is fetched from elsewhere: no external URL in any src or href.
    expect(page).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
  });

  it('GET /breakers answers the snapshot as JSON', async () => {
    const response = await fetch(`${await serve()}/breakers`, { headers: asOperator });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(registry.snapshot());
  });

  it('GET /breakers/events streams a snapshot, then each transition', async () => {
    const response = await fetch(`${await serve()}/breakers/events`, { headers: asOperator });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? '';
    };
    await until(/event: snapshot\ndata: .*\n\n/);
    expect(text).toContain('"name":"pricing"');
    throwError(() => new Error('down'))
      .pipe(pricing)
      .subscribe({ error: () => undefined });
    await until(/event: transition\ndata: .*\n\n/);
    const transition = /event: transition\ndata: (.*)\n\n/.exec(text)![1];
    expect(JSON.parse(transition)).toMatchObject({
      name: 'pricing',
      event: { from: 'closed', to: 'open', reason: 'failure_threshold' },
    });
    await reader.cancel();
  });

  it('POST /breakers/:name/{open,half-open,isolate,disable,close} acts on the breaker and answers its entries', async () => {
    const origin = await serve();
    for (const [control, state] of [
      ['open', 'open'],
      ['half-open', 'half-open'],
      ['isolate', 'isolated'],
      ['disable', 'disabled'],
      ['close', 'closed'],
    ] as const) {
      const response = await post(`${origin}/breakers/pricing/${control}`);
      expect(response.status).toBe(200);
      expect(pricing.state).toBe(state);
      expect(await response.json()).toMatchObject({
        name: 'pricing',
        control,
        breakers: [{ state }],
      });
    }
  });

  it('acts on every live breaker of the name, and matches names exactly (encoded slashes included)', async () => {
    const twin = breaker('pricing');
    const slashed = breaker('eu/pricing');
    const origin = await serve();
    expect((await post(`${origin}/breakers/pricing/open`)).status).toBe(200);
    expect([pricing.state, twin.state, slashed.state]).toEqual(['open', 'open', 'closed']);
    expect((await post(`${origin}/breakers/eu%2Fpricing/open`)).status).toBe(200);
    expect(slashed.state).toBe('open');
    expect((await post(`${origin}/breakers/PRICING/close`)).status).toBe(404);
    expect((await post(`${origin}/breakers/prici/close`)).status).toBe(404);
    expect(pricing.state).toBe('open');
  });
});

describe('adminHandler: a breaker disposed while a control is on its way', () => {
  it('acts on the breakers still live and answers 200', async () => {
    const twin = breaker('pricing');
    let authorized!: () => void;
    const asked = new Promise<void>((resolve) => (authorized = resolve));
    const origin = await serve({
      authorize: (request) => {
        authorized();
        return request.headers.authorization === token;
      },
    });
    // The headers go first; the body follows once the handler waits for it.
    const request = http.request(`${origin}/breakers/pricing/open`, {
      method: 'POST',
      headers: { ...asJson, 'content-length': 2 },
    });
    const answer = new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
    request.flushHeaders();
    await asked;
    await new Promise((resolve) => setImmediate(resolve)); // the handler now waits for the body
    twin.dispose(); // an idle sweep or a group's eviction, meanwhile
    request.end('{}');

    expect((await answer).statusCode).toBe(200);
    expect(pricing.state).toBe('open');
  });
});

describe('adminHandler: bad input changes nothing', () => {
  it('answers 404 for an unknown breaker or path, without path tricks', async () => {
    const origin = await serve();
    for (const path of [
      '/breakers/nobody/open',
      '/nope',
      '/breakers/pricing',
      '/breakers/pricing/explode',
      '/breakers/pricing/open/again',
      '/breakers/%2E%2E/open',
      '/breakers//open',
    ]) {
      const response = await post(`${origin}${path}`);
      expect([path, response.status]).toEqual([path, 404]);
      expect(await response.json()).toHaveProperty('error');
    }
    // fetch() normalises dot segments; a raw request sends them as they are.
    const { port } = new URL(origin);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const options = {
        port,
        method: 'POST',
        path: '/breakers/x/../pricing/open',
        headers: asJson,
      };
      http
        .request(options, (response) => resolve(response.resume().statusCode))
        .on('error', reject)
        .end('{}');
    });
    expect(status).toBe(404);
    expect(pricing.state).toBe('closed');
  });

  it('answers 405 for a wrong method on a known path, with Allow', async () => {
    const origin = await serve();
    const wrong = [
      ['GET', '/breakers/pricing/open', 'POST'],
      ['DELETE', '/breakers/pricing/close', 'POST'],
      ['POST', '/breakers', 'GET'],
      ['POST', '/', 'GET'],
      ['PUT', '/breakers/events', 'GET'],
    ];
    for (const [method, path, allow] of wrong) {
      const response = await fetch(`${origin}${path}`, { method, headers: asOperator });
      expect([path, response.status, response.headers.get('allow')]).toEqual([path, 405, allow]);
    }
  });

  it('answers 415 to a control without content-type application/json (what a cross-site form sends)', async () => {
    const origin = await serve();
    for (const type of [
      'application/x-www-form-urlencoded',
      'text/plain',
      'multipart/form-data; boundary=x',
    ]) {
      const response = await post(`${origin}/breakers/pricing/open`, {
        headers: { ...asOperator, 'content-type': type },
      });
      expect([type, response.status]).toEqual([type, 415]);
    }
    const untyped = await post(`${origin}/breakers/pricing/open`, {
      headers: asOperator,
      body: null,
    });
    expect(untyped.status).toBe(415);
    const charset = await post(`${origin}/breakers/pricing/open`, {
      headers: { ...asOperator, 'content-type': 'Application/JSON; charset=utf-8' },
    });
    expect(charset.status).toBe(200);
    expect(pricing.state).toBe('open');
  });

  it('answers 413 to a body over 64 KB and 400 to one that is not a JSON object', async () => {
    const origin = await serve();
    const url = `${origin}/breakers/pricing/open`;
    const large = JSON.stringify({ padding: 'x'.repeat(70_000) });
    expect((await post(url, { body: large })).status).toBe(413);
    const streamed = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(large));
        controller.close();
      },
    });
    expect((await post(url, { body: streamed, duplex: 'half' })).status).toBe(413);
    for (const body of ['{', 'not json', '[]', '42', 'null']) {
      const response = await post(url, { body });
      expect([body, response.status]).toEqual([body, 400]);
    }
    expect((await post(`${origin}/breakers/%E0%A4%A/open`)).status).toBe(400);
    expect(pricing.state).toBe('closed');
    expect((await post(url, { body: '' })).status).toBe(200);
  });
});

describe('adminHandler: authorization', () => {
  const routes: [string, string, AdminAction][] = [
    ['GET', '/', 'read'],
    ['GET', '/breakers', 'read'],
    ['GET', '/breakers/events', 'read'],
    ['POST', '/breakers/pricing/open', 'open'],
    ['POST', '/breakers/pricing/close', 'close'],
    ['POST', '/breakers/pricing/half-open', 'half-open'],
    ['POST', '/breakers/pricing/isolate', 'isolate'],
    ['POST', '/breakers/pricing/disable', 'disable'],
    ['GET', '/unknown', 'read'],
  ];

  it('asks authorize first on every route, with the action: 401 without credentials, 403 with wrong ones', async () => {
    const asked: AdminAction[] = [];
    const origin = await serve({ authorize: authorize(asked) });
    for (const [method, path, action] of routes) {
      const init = { method, body: method === 'POST' ? '{}' : undefined };
      const anonymous = await fetch(`${origin}${path}`, {
        ...init,
        headers: { 'content-type': 'application/json' },
      });
      const wrong = await fetch(`${origin}${path}`, {
        ...init,
        headers: { ...asJson, authorization: 'Bearer nope' },
      });
      const cookie = await fetch(`${origin}${path}`, { ...init, headers: { cookie: 'session=x' } });
      expect([path, anonymous.status, wrong.status, cookie.status]).toEqual([path, 401, 403, 403]);
      expect(asked.splice(0)).toEqual([action, action, action]);
    }
    expect(pricing.state).toBe('closed');
  });

  it('waits for an async authorize, and answers 500 when it throws, changing nothing', async () => {
    const allowing = await serve({
      authorize: (request) => Promise.resolve(request.headers.authorization === token),
    });
    expect((await post(`${allowing}/breakers/pricing/open`)).status).toBe(200);
    await pricing.close();
    const throwing = await serve({
      authorize: () => {
        throw new Error('identity provider down');
      },
    });
    expect((await post(`${throwing}/breakers/pricing/open`)).status).toBe(500);
    expect(pricing.state).toBe('closed');
  });

  it('readOnly answers controls with 403, serves reads, and the page shows no controls', async () => {
    const origin = await serve({ readOnly: true });
    expect((await post(`${origin}/breakers/pricing/open`)).status).toBe(403);
    expect(pricing.state).toBe('closed');
    expect((await fetch(`${origin}/breakers`, { headers: asOperator })).status).toBe(200);
    expect(await (await fetch(origin, { headers: asOperator })).text()).toContain(
      'const readOnly = true;',
    );
  });
});

/** Behind a framework under /ops: the snapshot and a control work. */
async function expectServedUnderOps(origin: string) {
  expect(await (await fetch(`${origin}/ops/breakers`, { headers: asOperator })).json()).toEqual(
    registry.snapshot(),
  );
  expect((await post(`${origin}/ops/breakers/pricing/open`)).status).toBe(200);
  expect(pricing.state).toBe('open');
}

/** The framework's own routes still answer, and the handler still asks for credentials. */
async function expectOthersUntouched(origin: string) {
  expect(await (await fetch(`${origin}/health`)).text()).toBe('ok');
  expect((await fetch(`${origin}/ops/breakers`)).status).toBe(401);
}

describe('adminHandler: mounting', () => {
  it('serves under basePath on a plain server, and 404s outside it', async () => {
    const origin = await serve({ basePath: '/ops/breakers' });
    expect((await fetch(`${origin}/ops/breakers`, { headers: asOperator })).status).toBe(200);
    expect((await fetch(`${origin}/ops/breakers/`, { headers: asOperator })).status).toBe(200);
    expect(
      await (await fetch(`${origin}/ops/breakers/breakers`, { headers: asOperator })).json(),
    ).toEqual(registry.snapshot());
    expect((await post(`${origin}/ops/breakers/breakers/pricing/open`)).status).toBe(200);
    expect(pricing.state).toBe('open');
    expect((await fetch(`${origin}/breakers`, { headers: asOperator })).status).toBe(404);
    expect((await fetch(`${origin}/ops/breakersx`, { headers: asOperator })).status).toBe(404);
  });

  it('works behind Express’s router (app.use with a prefix, express.json() before it)', async () => {
    const app = express();
    app.use(express.json());
    app.use('/ops', adminHandler(registry, { authorize: authorize() }));
    app.get('/health', (_request, response) => void response.send('ok'));
    const { origin, close } = await listen(http.createServer(app));
    cleanups.push(close);
    await expectServedUnderOps(origin);
    expect((await post(`${origin}/ops/breakers/pricing/close`, { body: '[]' })).status).toBe(400);
    expect(
      (await fetch(`${origin}/ops`, { headers: asOperator })).headers.get('content-type'),
    ).toMatch(/html/);
    await expectOthersUntouched(origin);
  });

  it('works behind Fastify (an onRequest hook hands the prefix to the handler)', async () => {
    const app = Fastify();
    const admin = adminHandler(registry, { authorize: authorize(), basePath: '/ops' });
    app.addHook('onRequest', (request, reply, done) => {
      if (request.url !== '/ops' && !request.url.startsWith('/ops/')) return done();
      reply.hijack();
      admin(request.raw, reply.raw);
    });
    app.get('/health', () => 'ok');
    await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => void app.close());
    const { port } = app.server.address() as { port: number };
    const origin = `http://127.0.0.1:${port}`;
    await expectServedUnderOps(origin);
    expect((await post(`${origin}/ops/breakers/pricing/close`, { body: '{' })).status).toBe(400);
    expect(
      (await post(`${origin}/ops/breakers/pricing/close`, { headers: asOperator })).status,
    ).toBe(415);
    await expectOthersUntouched(origin);
  });
});
