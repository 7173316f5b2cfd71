/**
 * The deploy half of the parity run (test/aws/run.sh starts MiniStack and points the AWS settings at
 * it): `cdk bootstrap`, `cdk synth` of the real app with the run's settings, `cdk deploy` of that cloud
 * assembly. Where MiniStack falls short of AWS, a named workaround changes the emulator's side only:
 * what it is handed is still the synthesized stack, and nothing here changes what a real deploy gets.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateArchiveCommand,
  DescribeEventBusCommand,
  EventBridgeClient,
  ListArchivesCommand,
} from '@aws-sdk/client-eventbridge';
import type { CloudFormationTemplate } from '../../lib/synth';

const RUN_DIR = process.env.EVENT_RELAY_AWS_RUN_DIR ?? '.event-relay/aws/run';
export const ASSEMBLY_DIR = join(RUN_DIR, 'cdk.out');
export const OUTPUTS_FILE = join(RUN_DIR, 'outputs.json');
export const STACK_NAME = 'EventRelay';
/** MiniStack's account (MINISTACK_ACCOUNT_ID's default) and the run's region. */
const ENVIRONMENT = `aws://000000000000/${process.env.AWS_REGION ?? 'us-east-1'}`;

/**
 * The run's settings, passed as `-c key=value` the way an operator would: retries after 1, 2 and 3 s,
 * deliveries to the receiver on 127.0.0.1, everything deleted with the stack.
 */
export const RUN_CONTEXT: Readonly<Record<string, string>> = {
  stackName: STACK_NAME,
  retrySchedule: '1,2,3',
  allowPrivateTargets: 'true',
  removalPolicy: 'destroy',
  deliveryTimeoutMs: '5000',
};

interface Workaround {
  /** Short name, printed when the step runs. */
  readonly name: string;
  /** What MiniStack lacks. */
  readonly why: string;
  /** Changes the synthesized template before the deploy; returns whether it changed anything. */
  readonly beforeDeploy?: (template: CloudFormationTemplate) => boolean;
  /** Completes the deployed stack; must be safe to run twice. */
  readonly afterDeploy?: (outputs: Record<string, string>) => Promise<void>;
}

/** The archive resources taken out of the template, created through the EventBridge API instead. */
const archives: { logicalId: string; properties: Record<string, unknown> }[] = [];

const WORKAROUNDS: readonly Workaround[] = [
  {
    name: 'archive',
    why: 'MiniStack 1.5.33 CloudFormation has no AWS::Events::Archive (its EventBridge has CreateArchive)',
    beforeDeploy(template) {
      for (const [logicalId, resource] of Object.entries(
        template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      )) {
        if (resource.Type !== 'AWS::Events::Archive') continue;
        archives.push({ logicalId, properties: resource.Properties });
        delete template.Resources[logicalId];
      }
      return archives.length > 0;
    },
    async afterDeploy(outputs) {
      const events = new EventBridgeClient({});
      const bus = await events.send(new DescribeEventBusCommand({ Name: outputs.EventBusName }));
      for (const { logicalId, properties } of archives) {
        const sourceArn = properties.SourceArn as { 'Fn::GetAtt'?: string[] };
        if (sourceArn['Fn::GetAtt']?.[1] !== 'Arn') throw new Error(`${logicalId}: unexpected SourceArn`);
        const existing = await events.send(new ListArchivesCommand({ EventSourceArn: bus.Arn }));
        if ((existing.Archives ?? []).length > 0) continue;
        await events.send(
          new CreateArchiveCommand({
            ArchiveName: `${STACK_NAME}-${logicalId}`.slice(0, 48),
            EventSourceArn: bus.Arn,
            Description: properties.Description as string,
            EventPattern: JSON.stringify(properties.EventPattern),
            RetentionDays: properties.RetentionDays as number,
          }),
        );
      }
      events.destroy();
    },
  },
  {
    name: 'sqs batch actions',
    why:
      'MiniStack 1.5.33 authorizes an SQS batch call as sqs:<Action>Batch, an action AWS does not have ' +
      '(AWS checks sqs:<Action>); the policies get the batch names beside the single ones',
    beforeDeploy(template) {
      let changed = false;
      for (const resource of Object.values(template.Resources as Record<string, PolicyResource>)) {
        if (resource.Type !== 'AWS::IAM::Policy') continue;
        for (const statement of resource.Properties.PolicyDocument.Statement) {
          const actions = [statement.Action].flat();
          const batch = actions.flatMap((action) => SQS_BATCH_ACTIONS[action] ?? []);
          const missing = batch.filter((action) => !actions.includes(action));
          if (missing.length === 0) continue;
          statement.Action = [...actions, ...missing];
          changed = true;
        }
      }
      return changed;
    },
  },
];

interface PolicyResource {
  Type: string;
  Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } };
}

/** SQS batch calls AWS authorizes by the single action's permission. */
const SQS_BATCH_ACTIONS: Readonly<Record<string, string>> = {
  'sqs:SendMessage': 'sqs:SendMessageBatch',
  'sqs:DeleteMessage': 'sqs:DeleteMessageBatch',
  'sqs:ChangeMessageVisibility': 'sqs:ChangeMessageVisibilityBatch',
};

function run(step: string, command: string, args: string[], cwd?: string): void {
  const started = Date.now();
  console.log(`\n[parity] ${step}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...(cwd ? { cwd } : {}) });
  if (result.status !== 0) throw new Error(`${step} failed (exit ${result.status ?? result.signal})`);
  console.log(`[parity] ${step}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * Rewrites the stack's template in the cloud assembly. The template is published as a file asset named
 * by its hash, so the hash is renamed too (else an unchanged key could leave an older template in place).
 */
function patchTemplate(patch: (template: CloudFormationTemplate) => boolean): void {
  const templateFile = join(ASSEMBLY_DIR, `${STACK_NAME}.template.json`);
  const before = readFileSync(templateFile);
  const template = JSON.parse(before.toString('utf8')) as CloudFormationTemplate;
  if (!patch(template)) return;
  const after = Buffer.from(JSON.stringify(template, null, 1));
  writeFileSync(templateFile, after);
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
  for (const file of ['manifest.json', `${STACK_NAME}.assets.json`]) {
    const path = join(ASSEMBLY_DIR, file);
    writeFileSync(path, readFileSync(path, 'utf8').split(sha(before)).join(sha(after)));
  }
}

async function main(): Promise<void> {
  const cdkArgs = (args: string[]) => ['cdk', ...args, '--no-notices', '--no-version-reporting'];
  const cdk = (step: string, ...args: string[]) => run(step, 'npx', cdkArgs(args));
  const context = Object.entries(RUN_CONTEXT).flatMap(([key, value]) => ['-c', `${key}=${value}`]);

  // From the run directory, which has no cdk.json: bootstrapping a named environment needs no app, and
  // the CLI would otherwise synthesize (and bundle) ours first.
  run('bootstrap', 'npx', cdkArgs(['bootstrap', ENVIRONMENT]), RUN_DIR);
  cdk('synth', 'synth', '--quiet', '-o', ASSEMBLY_DIR, ...context);
  for (const workaround of WORKAROUNDS) {
    if (!workaround.beforeDeploy) continue;
    patchTemplate((template) => {
      const changed = workaround.beforeDeploy!(template);
      if (changed) console.log(`[parity] workaround ${workaround.name}: ${workaround.why}`);
      return changed;
    });
  }
  cdk(
    'deploy',
    'deploy',
    '--app',
    ASSEMBLY_DIR,
    '--require-approval',
    'never',
    '--progress',
    'events',
    '--outputs-file',
    OUTPUTS_FILE,
  );
  const outputs = (JSON.parse(readFileSync(OUTPUTS_FILE, 'utf8')) as Record<string, Record<string, string>>)[
    STACK_NAME
  ];
  if (!outputs) throw new Error(`${OUTPUTS_FILE} has no outputs of ${STACK_NAME}`);
  for (const workaround of WORKAROUNDS) {
    if (!workaround.afterDeploy) continue;
    console.log(`[parity] workaround ${workaround.name} (after the deploy)`);
    await workaround.afterDeploy(outputs);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`[parity] ${(error as Error).message}`);
    process.exit(1);
  });
}
