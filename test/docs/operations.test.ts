import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { STATUSES } from '../../lambdas/shared/catalog';
import { METRIC } from '../../lambdas/shared/metrics';
import { FUNCTION_NAMES, functionId } from '../../lib/functions';
import { statusId } from '../../lib/fan-out';
import { buildStack } from '../../lib/synth';
import { readDoc, ROOT } from './runnable';

/** An alarm's construct id as the docs write it: one row per alarm of every status, or of every function. */
function documentedName(id: string): string {
  for (const status of STATUSES) {
    if (id.startsWith(statusId(status))) return `<Status>${id.slice(statusId(status).length)}`;
  }
  for (const name of FUNCTION_NAMES) {
    const rest = id.slice(functionId(name).length);
    if (id.startsWith(functionId(name)) && /^(Errors|Throttles)Alarm$/.test(rest)) return `<Function>${rest}`;
  }
  return id;
}

function docsPages(): string[] {
  return readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => readDoc(`docs/${name}`));
}

describe('docs/operations.md', () => {
  // An alarm another page explains in the same table form (e.g. docs/delivery.md) counts too.
  it('explains every alarm the stack creates, or a page of docs/ does', () => {
    const alarms = buildStack()
      .node.findAll()
      .filter((construct) => construct instanceof Alarm)
      .map((alarm) => documentedName(alarm.node.id));
    expect(alarms.length).toBeGreaterThan(5);
    const pages = docsPages();
    const missing = [...new Set(alarms)].filter(
      (name) => !pages.some((page) => page.includes(`| \`${name}\``)),
    );
    expect(missing).toEqual([]);
  });

  it('lists every metric the functions write (or a page of docs/ does)', () => {
    const pages = docsPages();
    expect(
      Object.values(METRIC).filter((name) => !pages.some((page) => page.includes(`| \`${name}\` |`))),
    ).toEqual([]);
  });
});
