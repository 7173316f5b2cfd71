import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthSummary } from '../../bin/synth-summary';
import { EventRelayStack } from '../../lib/event-relay-stack';

describe("npm run synth's summary", () => {
  const outdirs: string[] = [];
  const outdir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'event-relay-synth-'));
    outdirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
  });

  it('names the template, counts its resources, and says the AwsSolutions checks passed', () => {
    const dir = outdir();
    const app = new App({
      outdir: dir,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    new EventRelayStack(app, 'EventRelay');
    Validations.of(app).addPlugins(new AwsSolutionsChecks());
    const lines = synthSummary(app.synth().directory, ['AwsSolutions'], dir);
    expect(lines[0]).toMatch(/^EventRelay: \d+ resources in EventRelay\.template\.json$/);
    expect(lines[1]).toMatch(/\d+ SQS::Queue/);
    expect(lines[2]).toBe('AwsSolutions checks (cdk-nag): passed, no unacknowledged findings');
  });

  it('says the checks failed, and which rules, when they find something', () => {
    const dir = outdir();
    // With the app not failing the synthesis itself, as under the CDK CLI, the report is all there is.
    const app = new App({
      outdir: dir,
      builtinCloudFormationValidation: false,
      context: { '@aws-cdk/core:failSynthOnValidationErrors': false },
    });
    new Queue(new Stack(app, 'Scratch'), 'BareQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks());
    const lines = synthSummary(app.synth().directory, ['AwsSolutions'], dir);
    expect(lines.at(-1)).toMatch(
      /^AwsSolutions checks \(cdk-nag\): FAILED, \d+ finding\(s\): .*AwsSolutions-SQS3/,
    );
  });
});
