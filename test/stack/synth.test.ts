/**
 * `synthTemplate` (what the local mode reads) and real bundling (what `cdk synth` and `cdk deploy` do).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, CfnElement } from 'aws-cdk-lib';
import { FUNCTION_NAMES } from '../../lib/functions';
import { buildStack, synthTemplate } from '../../lib/synth';

describe('synthTemplate', () => {
  it('returns the CloudFormation template, with resources the local mode can read directly', () => {
    const template = synthTemplate({ retrySchedule: [1, 2] });
    const types = new Set(
      Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type),
    );
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::SQS::Queue',
      'AWS::Events::Rule',
      'AWS::Lambda::EventSourceMapping',
      'AWS::ApiGatewayV2::Route',
      'AWS::ApiGatewayV2::Authorizer',
      'AWS::Lambda::Function',
    ]) {
      expect(types).toContain(type);
    }
    expect(
      [...types].filter(
        (type) => type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource',
      ),
    ).toEqual([]);
    expect(JSON.stringify(template)).toContain('"maxReceiveCount":3');
  });
});

describe('bundling', () => {
  it('bundles every handler with esbuild into index.js with a source map', () => {
    const stack = buildStack({}, { bundle: true });
    const assembly = (stack.node.root as App).synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, { Properties: { Code?: { S3Key?: string } } }>;
    };
    for (const name of FUNCTION_NAMES) {
      const fn = stack.functions.functions[name];
      const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnElement);
      const key = template.Resources[logicalId]!.Properties.Code!.S3Key!;
      const dir = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
      expect(existsSync(join(dir, 'index.js'))).toBe(true);
      expect(existsSync(join(dir, 'index.js.map'))).toBe(true);
      expect(readFileSync(join(dir, 'index.js'), 'utf8').trimEnd()).toMatch(
        /\/\/# sourceMappingURL=index\.js\.map$/,
      );
    }
  });
});
