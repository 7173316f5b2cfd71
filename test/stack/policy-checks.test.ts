/**
 * cdk-nag's AwsSolutions pack finds nothing unacknowledged; every acknowledgment is narrow (on one
 * resource, naming the exact finding) and says why. CDK's own CloudFormation validation passes too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { STATUSES } from '../../lambdas/shared/catalog';
import { ROUTES } from '../../lambdas/shared/routes';
import { buildStack } from '../../lib/synth';

const stack = buildStack();

function acknowledgments(
  root: IConstruct,
): { path: string; construct: IConstruct; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          construct,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged findings', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('does find problems when there are some (the check is live)', () => {
    const scratch = new Stack(new App(), 'Scratch');
    new Queue(scratch, 'Unprotected');
    const rules = new AwsSolutionsChecks()
      .validateScope(scratch)
      .violations.map((violation) => violation.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('acknowledges only specific findings on specific resources, each with a reason', () => {
    const found = acknowledgments(stack);
    expect(found.length).toBeGreaterThan(0);
    for (const { construct, id, reason } of found) {
      expect(Stack.isStack(construct)).toBe(false);
      expect(reason.length).toBeGreaterThan(20);
      if (id.startsWith('AwsSolutions-IAM5'))
        expect(id).toMatch(/^AwsSolutions-IAM5\[Resource::<\w+\.Arn>\/index\/\*\]$/);
    }
    const byRule = (rule: string) => found.filter(({ id }) => id.startsWith(rule));
    expect(byRule('AwsSolutions-SQS3').map(({ construct }) => construct)).toEqual([
      ...STATUSES.flatMap((status) => [
        stack.fanOut.queues[status].deadLetterQueue,
        stack.fanOut.queues[status].targetDeadLetterQueue,
      ]),
      stack.replayQueues.deadLetterQueue,
    ]);
    // The unauthorized routes, and the catch-all route (it only ever answers 404 or 405).
    expect(byRule('AwsSolutions-APIG4')).toHaveLength(ROUTES.filter((route) => !route.authorized).length + 1);
    expect(new Set(found.map(({ id }) => id.replace(/\[.*$/, '')))).toEqual(
      new Set(['AwsSolutions-SQS3', 'AwsSolutions-APIG4', 'AwsSolutions-IAM5']),
    );
  });
});

describe('CloudFormation validation', () => {
  it('passes CDK’s built-in template validation', () => {
    const validated = buildStack({}, { validate: true });
    const assembly = (validated.node.root as App).synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as {
      pluginReports: unknown[];
    };
    expect(report.pluginReports).toEqual([]);
  });
});
