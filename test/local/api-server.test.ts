/** The local API server: request → API Gateway payload 2.0 event, and API Gateway's own answers. */
import { ROUTES, routeKey } from '../../lambdas/shared/routes';
import { synthTemplate } from '../../lib/synth';
import {
  matchRoute,
  startApiServer,
  toHttpApiEvent,
  type ApiServer,
  type ServedRoute,
} from '../../local/api-server';
import { planFromTemplate } from '../../local/template';

const settings = { domainName: '127.0.0.1:3000', apiId: 'local', accountId: '000000000000' };

function route(path: string, method = 'POST', extra: Partial<ServedRoute> = {}): ServedRoute {
  return { method, path, routeKey: `${method} ${path}`, invoke: async () => ({ statusCode: 200 }), ...extra };
}

it("serves exactly the template's routes, which are the shared ROUTES and the catch-all route", () => {
  const plan = planFromTemplate(synthTemplate());

  expect(plan.routes.map((r) => r.routeKey).sort()).toEqual([...ROUTES.map(routeKey), '$default'].sort());
  for (const spec of ROUTES) {
    expect(Boolean(plan.routes.find((r) => r.routeKey === routeKey(spec))!.authorizer)).toBe(spec.authorized);
  }
});

it('sends what no route matches to the catch-all route, without path parameters, as API Gateway does', () => {
  const inbound = route('/v1/inbound/{integrationId}');
  const catchAll: ServedRoute = { ...route('$default', '$default'), routeKey: '$default' };
  expect(matchRoute([inbound, catchAll], 'POST', '/v1/inbound/int_1')!.route).toBe(inbound);
  expect(matchRoute([inbound, catchAll], 'GET', '/v1/inbound/int_1')).toEqual({
    route: catchAll,
    pathParameters: {},
  });
  expect(matchRoute([inbound, catchAll], 'GET', '/nowhere')!.route).toBe(catchAll);
  expect(matchRoute([inbound], 'GET', '/nowhere')).toBeUndefined();
});

describe('toHttpApiEvent', () => {
  const inbound = route('/v1/inbound/{integrationId}');

  it('lower-cases and combines headers, splits cookies, decodes query and path parameters', () => {
    const matched = matchRoute([inbound], 'POST', '/v1/inbound/int%5F1')!;
    const event = toHttpApiEvent(
      {
        method: 'POST',
        url: '/v1/inbound/int%5F1?a=1&a=2&b=x%20y',
        rawHeaders: [
          'Content-Type',
          'application/json',
          'X-Multi',
          'one',
          'x-multi',
          'two',
          'Cookie',
          'c1=a; c2=b',
        ],
        body: Buffer.from('{"ok":true}'),
        sourceIp: '127.0.0.1',
      },
      matched,
      settings,
    );

    expect(event).toEqual(
      expect.objectContaining({
        version: '2.0',
        routeKey: 'POST /v1/inbound/{integrationId}',
        rawPath: '/v1/inbound/int%5F1',
        rawQueryString: 'a=1&a=2&b=x%20y',
        headers: { 'content-type': 'application/json', 'x-multi': 'one,two' },
        cookies: ['c1=a', 'c2=b'],
        queryStringParameters: { a: '1,2', b: 'x y' },
        pathParameters: { integrationId: 'int_1' },
        body: '{"ok":true}',
        isBase64Encoded: false,
      }),
    );
    expect(event.requestContext).toEqual(
      expect.objectContaining({
        domainName: '127.0.0.1:3000',
        routeKey: 'POST /v1/inbound/{integrationId}',
        stage: '$default',
        http: expect.objectContaining({ method: 'POST', path: '/v1/inbound/int_1', sourceIp: '127.0.0.1' }),
      }),
    );
  });

  it.each([
    ['a form-encoded body', 'application/x-www-form-urlencoded', Buffer.from('a=1&b=%C3%A9')],
    ['bytes that are not UTF-8', 'application/json', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('passes %s base64-encoded, byte for byte', (_, contentType, body) => {
    const event = toHttpApiEvent(
      {
        method: 'POST',
        url: '/v1/inbound/x',
        rawHeaders: ['content-type', contentType],
        body,
        sourceIp: '::1',
      },
      matchRoute([inbound], 'POST', '/v1/inbound/x')!,
      settings,
    );

    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').equals(body)).toBe(true);
  });
});

describe('startApiServer', () => {
  let server: ApiServer;
  const calls: unknown[] = [];

  beforeAll(async () => {
    server = await startApiServer({ port: 0, accountId: '000000000000', region: 'us-east-1' });
    server.serve([
      route('/open', 'GET', {
        invoke: async () => ({ statusCode: 201, headers: { 'X-Out': 'y' }, body: 'hi' }),
      }),
      route('/guarded', 'GET', {
        invoke: async (event) => {
          calls.push(event);
          return { ok: true };
        },
        authorizer: {
          identitySource: ['$request.header.Authorization'],
          invoke: async (event) => {
            const key = (event as { headers: Record<string, string> }).headers.authorization;
            return { isAuthorized: key === 'Bearer good', context: { tenantId: 'tn_1' } };
          },
        },
      }),
      route('/broken', 'GET', { invoke: () => Promise.reject(new Error('boom')) }),
    ]);
  });

  afterAll(() => server.stop());

  it("writes the handler's result back", async () => {
    const response = await fetch(`${server.url}/open`);

    expect(response.status).toBe(201);
    expect(response.headers.get('x-out')).toBe('y');
    expect(await response.text()).toBe('hi');
  });

  it("passes the authorizer's context and answers as API Gateway for missing, denied, unknown and failing", async () => {
    const ok = await fetch(`${server.url}/guarded`, { headers: { authorization: 'Bearer good' } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true });
    expect(calls).toEqual([
      expect.objectContaining({
        requestContext: expect.objectContaining({ authorizer: { lambda: { tenantId: 'tn_1' } } }),
      }),
    ]);

    const answers = await Promise.all(
      [
        fetch(`${server.url}/guarded`),
        fetch(`${server.url}/guarded`, { headers: { authorization: 'Bearer bad' } }),
        fetch(`${server.url}/missing`),
        fetch(`${server.url}/open`, { method: 'POST' }),
        fetch(`${server.url}/broken`),
      ].map(async (pending) => {
        const response = await pending;
        return [response.status, await response.json()];
      }),
    );
    expect(answers).toEqual([
      [401, { message: 'Unauthorized' }],
      [403, { message: 'Forbidden' }],
      [404, { message: 'Not Found' }],
      [404, { message: 'Not Found' }],
      [500, { message: 'Internal Server Error' }],
    ]);
  });
});
