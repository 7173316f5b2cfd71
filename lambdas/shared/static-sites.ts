/**
 * Static files the HTTP API serves itself (same origin as the API: no CORS, no extra resources), one
 * entry per site. Each becomes two routes in `ROUTES` (`GET <route>` and `GET <route>/{proxy+}`) served
 * by the static function (lambdas/static/handler.ts); the stack copies each `directory` into that
 * function's bundle, the local mode reads it from the repository.
 */
export interface StaticSite {
  /** Path prefix, e.g. `/portal`. */
  readonly route: string;
  /** Directory of the built files, relative to the repository root (and to the function's bundle). */
  readonly directory: string;
  /** A single-page app: paths without a file extension get `index.html` (the app routes them). */
  readonly singlePage: boolean;
  /**
   * The pages set styles at run time (`<style>` elements and `style` attributes), so the CSP allows
   * inline styles; scripts stay same-origin only.
   * @default false
   */
  readonly inlineStyles?: boolean;
}

export const PORTAL_SITE: StaticSite = { route: '/portal', directory: 'portal/dist', singlePage: true };

/**
 * The API reference (`npm run build` renders it with Redoc into this directory): Redoc's styled-components
 * write their styles at run time, and its bundle inlines its fonts as `data:` URLs.
 */
export const API_REFERENCE_SITE: StaticSite = {
  route: '/docs',
  directory: 'docs/api-reference',
  singlePage: false,
  inlineStyles: true,
};

export const STATIC_SITES: readonly StaticSite[] = [PORTAL_SITE, API_REFERENCE_SITE];
