/**
 * What `cdk destroy` leaves behind: with removalPolicy=retain exactly the resources the teardown table of
 * docs/deploy.md lists (a resource added with a retain policy must be added there), with destroy nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnDeletionPolicy, CfnResource } from 'aws-cdk-lib';
import { buildStack } from '../../lib/synth';

/**
 * Construct paths, relative to the EventRelay construct, of the resources CloudFormation keeps, with
 * every optional part built (a long-tail retry schedule adds the Scheduler's resources).
 */
function retainedPaths(removalPolicy: 'retain' | 'destroy'): string[] {
  const stack = buildStack({ removalPolicy, retrySchedule: '1m,5m,30m,2h,5h,10h,10h ±20%' });
  const prefix = `${stack.relay.node.path}/`;
  return stack.node
    .findAll()
    .filter(
      (construct): construct is CfnResource =>
        CfnResource.isCfnResource(construct) &&
        construct.cfnOptions.deletionPolicy !== undefined &&
        construct.cfnOptions.deletionPolicy !== CfnDeletionPolicy.DELETE,
    )
    .map((resource) => resource.node.path.slice(prefix.length).replace(/\/Resource$/, ''))
    .sort();
}

/** The backticked construct paths in the first column of the teardown table. */
function documentedPaths(): string[] {
  const doc = readFileSync(join(__dirname, '../../docs/deploy.md'), 'utf8');
  const teardown = doc.slice(
    doc.indexOf('## Teardown'),
    doc.indexOf('\n## ', doc.indexOf('## Teardown') + 1),
  );
  return teardown
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([^`]+)`/g)].map((match) => match[1]!))
    .sort();
}

describe('teardown', () => {
  it('with removalPolicy=retain keeps exactly the resources docs/deploy.md lists', () => {
    const retained = retainedPaths('retain');
    expect(retained).toEqual(expect.arrayContaining(['Storage/Tenants', 'FanOut/OpenDeadLetterQueue']));
    expect(documentedPaths()).toEqual(retained);
  });

  it('with removalPolicy=destroy keeps nothing', () => {
    expect(retainedPaths('destroy')).toEqual([]);
  });
});
