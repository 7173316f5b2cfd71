import { readFileSync } from 'node:fs';
import {
  PERFORMANCE_PAGE,
  referenceTable,
  renderPerformancePage,
  readReference,
} from '../../scripts/docs/performance-page';

describe('docs/performance.md', () => {
  it('shows the committed reference bench run (`npm run docs` regenerates the table)', () => {
    const page = readFileSync(PERFORMANCE_PAGE, 'utf8');
    expect(renderPerformancePage(page)).toBe(page);
  });

  it('has one row per measured figure and per cost line, with its verdict', () => {
    const reference = readReference();
    const rows = referenceTable(reference)
      .split('\n')
      .filter((line) => /^\| [\d—]/.test(line));
    expect(rows).toHaveLength(reference.figures.length + (reference.cost?.length ?? 0));
    const failing = reference.figures.filter((figure) => figure.pass === false).length;
    expect(rows.filter((row) => row.includes('✗'))).toHaveLength(failing);
  });
});
