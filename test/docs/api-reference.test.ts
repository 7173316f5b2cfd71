import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  API_REFERENCE_DIR,
  renderApiReference,
  splitPage,
  type PageFiles,
} from '../../scripts/api-reference';

describe('the API reference page (docs/api-reference, served at /docs)', () => {
  let rendered: PageFiles;
  beforeAll(async () => {
    rendered = await renderApiReference();
  }, 60_000);

  it('is what the current OpenAPI document renders to (run `npm run build` and commit it when this fails)', () => {
    const committed = Object.fromEntries(
      readdirSync(API_REFERENCE_DIR).map((name) => [
        name,
        readFileSync(join(API_REFERENCE_DIR, name), 'utf8'),
      ]),
    );
    expect(Object.keys(committed).sort()).toEqual(Object.keys(rendered).sort());
    for (const [name, text] of Object.entries(rendered)) {
      expect({ name, upToDate: committed[name] === text }).toEqual({ name, upToDate: true });
    }
  });

  it('has no inline script and loads nothing from another origin', () => {
    const page = rendered['index.html']!;
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/<style/);
    const loaded = [...page.matchAll(/<(?:script|img|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(loaded.length).toBeGreaterThanOrEqual(3);
    for (const url of loaded) expect(url).toMatch(/^\/docs\/[\w.-]+$/);
    expect(rendered['definition.js']).toContain('"title":"event-relay management API"');
  });

  it('refuses a build-docs output it does not recognise rather than serving it half split', () => {
    expect(() =>
      splitPage('<html><head></head><body><script type="module">hydrate()</script></body></html>'),
    ).toThrow(/no longer exports hydrate/);
  });
});
