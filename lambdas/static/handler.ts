/**
 * The static function: serves the built files of `STATIC_SITES` (the tenant portal, the API reference) from the HTTP API
 * itself, so the pages share the API's origin. Hashed assets (`/assets/...`) are cached for a year,
 * everything else is revalidated (`no-cache` + ETag); every response carries a strict
 * Content-Security-Policy whose `frame-ancestors` comes from `FRAME_ANCESTORS` (cdk.json
 * `portalFrameAncestors`). Text files are gzipped for clients that accept it.
 *
 * Files are read from the function's bundle (`$LAMBDA_TASK_ROOT/<directory>`, where the stack copies
 * them) or, in the local mode, from the repository; each is read once per container.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { header, type HttpResponse } from '../shared/http';
import { STATIC_SITES, type StaticSite } from '../shared/static-sites';

const ROOT = process.env.LAMBDA_TASK_ROOT ?? join(__dirname, '..', '..');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt']);
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The Content-Security-Policy of every static response: same-origin everything, no inline script; a site
 * with `inlineStyles` may also set styles inline and use `data:` fonts.
 */
export function contentSecurityPolicy(
  frameAncestors: string,
  site?: Pick<StaticSite, 'inlineStyles'>,
): string {
  const inlineStyles = site?.inlineStyles === true;
  return [
    "default-src 'self'",
    "script-src 'self'",
    inlineStyles ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    inlineStyles ? "font-src 'self' data:" : "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');
}

interface StaticFile {
  body: Buffer;
  gzipped?: Buffer;
  etag: string;
  contentType: string;
}

const files = new Map<string, Promise<StaticFile | undefined>>();

async function load(path: string): Promise<StaticFile | undefined> {
  let body: Buffer;
  try {
    body = await readFile(path);
  } catch {
    return undefined;
  }
  const extension = extname(path).toLowerCase();
  return {
    body,
    ...(COMPRESSIBLE.has(extension) && body.length > 512 ? { gzipped: gzipSync(body, { level: 9 }) } : {}),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
  };
}

function fileAt(site: StaticSite, relative: string): Promise<StaticFile | undefined> {
  const path = join(ROOT, site.directory, relative);
  let file = files.get(path);
  if (!file) {
    file = load(path);
    files.set(path, file);
  }
  return file;
}

/** The site and the file path within it, or undefined for a path outside every site or escaping it. */
export function resolvePath(rawPath: string): { site: StaticSite; relative: string } | undefined {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  const site = STATIC_SITES.find(
    (candidate) => path === candidate.route || path.startsWith(`${candidate.route}/`),
  );
  if (!site) return undefined;
  const rest = path.slice(site.route.length);
  if (rest.split('/').some((segment) => segment === '..' || segment === '.')) return undefined;
  const relative = posix.normalize(`/${rest}`);
  return { site, relative: relative === '/' ? '/index.html' : relative };
}

function notFound(headers: Record<string, string>): HttpResponse {
  return {
    statusCode: 404,
    headers: { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' },
    body: 'Not found.',
  };
}

export async function handler(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
  const resolved = resolvePath(event.rawPath);
  const security = {
    'content-security-policy': contentSecurityPolicy(process.env.FRAME_ANCESTORS || "'none'", resolved?.site),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  if (!resolved) return notFound(security);
  const { site, relative } = resolved;
  let file = await fileAt(site, relative);
  let cacheControl = relative.startsWith('/assets/') ? IMMUTABLE : 'no-cache';
  if (!file && site.singlePage && !extname(relative)) {
    file = await fileAt(site, '/index.html');
    cacheControl = 'no-cache';
  }
  if (!file) return notFound(security);

  const headers: Record<string, string> = {
    ...security,
    'content-type': file.contentType,
    'cache-control': cacheControl,
    etag: file.etag,
    vary: 'accept-encoding',
  };
  if (header(event, 'if-none-match') === file.etag) return { statusCode: 304, headers, body: '' };
  const gzip = file.gzipped && /\bgzip\b/.test(header(event, 'accept-encoding') ?? '');
  if (gzip) headers['content-encoding'] = 'gzip';
  return {
    statusCode: 200,
    headers,
    body: (gzip ? file.gzipped! : file.body).toString('base64'),
    isBase64Encoded: true,
  };
}
