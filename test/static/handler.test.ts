import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { contentSecurityPolicy, handler, resolvePath } from '../../lambdas/static/handler';
import { buildPortal } from '../support/portal-build';

const request = (rawPath: string, headers: Record<string, string> = {}) =>
  handler({ rawPath, headers } as unknown as APIGatewayProxyEventV2);
const text = (response: { body?: string; headers?: Record<string, unknown> }) => {
  const bytes = Buffer.from(response.body ?? '', 'base64');
  return (response.headers?.['content-encoding'] === 'gzip' ? gunzipSync(bytes) : bytes).toString('utf8');
};

describe('static function (the tenant portal)', () => {
  let script: string;
  beforeAll(() => {
    buildPortal();
    script = readdirSync(join(__dirname, '..', '..', 'portal', 'dist', 'assets')).find((f) =>
      f.endsWith('.js'),
    )!;
    process.env.FRAME_ANCESTORS = "'self' https://dashboard.example.com";
  });
  afterAll(() => {
    delete process.env.FRAME_ANCESTORS;
  });

  it('serves the app page for /portal and for any page path, never cached, under a strict CSP', async () => {
    for (const path of ['/portal', '/portal/', '/portal/session', '/portal/endpoints/wh_123']) {
      const response = await request(path);
      expect([path, response.statusCode]).toEqual([path, 200]);
      expect(response.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
        'content-security-policy': expect.stringContaining(
          "frame-ancestors 'self' https://dashboard.example.com",
        ),
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      expect(text(response)).toContain(`<script type="module" crossorigin src="/portal/assets/${script}">`);
    }
  });

  it('the app page has no inline script, so the CSP can forbid it', async () => {
    const html = text(await request('/portal'));
    expect(html.match(/<script\b[^>]*>/g)).toEqual([expect.stringContaining(' src="/portal/assets/')]);
    expect(html).not.toMatch(/<style\b|\son\w+=/i);
    expect(contentSecurityPolicy("'none'")).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
  });

  it('serves hashed assets cached for a year, gzipped when accepted, and answers 304 to a matching ETag', async () => {
    const plain = await request(`/portal/assets/${script}`);
    expect(plain.statusCode).toBe(200);
    expect(plain.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
    });
    expect(plain.headers!['content-encoding']).toBeUndefined();
    const gzipped = await request(`/portal/assets/${script}`, { 'accept-encoding': 'gzip, br' });
    expect(gzipped.headers!['content-encoding']).toBe('gzip');
    expect(text(gzipped)).toBe(text(plain));
    const again = await request(`/portal/assets/${script}`, { 'if-none-match': String(plain.headers!.etag) });
    expect(again.statusCode).toBe(304);
  });

  it('answers 404 for a missing file and never leaves the site directory', async () => {
    expect((await request('/portal/assets/missing.js')).statusCode).toBe(404);
    for (const path of [
      '/portal/../package.json',
      '/portal/%2e%2e/package.json',
      '/portal/..%2fpackage.json',
    ]) {
      expect([path, (await request(path)).statusCode]).toEqual([path, 404]);
    }
    expect(resolvePath('/portalx/index.html')).toBeUndefined();
    expect(resolvePath('/portal/a%00b')).toBeUndefined();
  });
});

describe('static function (the API reference at /docs)', () => {
  it('serves the Redoc page and its files, revalidated, scripts same-origin only, inline styles allowed', async () => {
    for (const path of ['/docs', '/docs/']) {
      const page = await request(path);
      expect([path, page.statusCode]).toEqual([path, 200]);
      expect(page.headers).toMatchObject({
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-cache',
      });
      expect(text(page)).toContain('<script type="module" src="/docs/definition.js"></script>');
      const policy = String(page.headers!['content-security-policy']);
      expect(policy).toContain("script-src 'self';");
      expect(policy).toContain("style-src 'self' 'unsafe-inline';");
      expect(policy).toContain("font-src 'self' data:;");
      expect(policy).toContain("frame-ancestors 'none'");
    }
    const bundle = await request('/docs/redoc.standalone.js');
    expect(bundle.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8' });
    expect(text(bundle)).toContain('export{RedocStandalone,hydrate,init}');
    expect(text(await request('/docs/definition.js'))).toContain('"title":"event-relay management API"');
  });

  it('does not give the portal the API reference’s allowances, nor serve a page path it does not have', async () => {
    expect(String((await request('/portal')).headers!['content-security-policy'])).toContain(
      "style-src 'self';",
    );
    expect((await request('/docs/webhooks')).statusCode).toBe(404);
    expect((await request('/docs/../package.json')).statusCode).toBe(404);
  });
});
