#!/usr/bin/env node
/**
 * The CDK app: one event-relay stack, configured through cdk.json context (see lib/config.ts and the
 * README's configuration table). Environment-agnostic, so `cdk synth` needs no AWS account; `cdk deploy`
 * deploys to the CLI's account and region. Synthesis fails on any unacknowledged cdk-nag AwsSolutions
 * finding. After synthesis it prints a short summary (`npm run synth` runs `cdk synth --quiet`, so the
 * template goes to cdk.out only).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EventRelayStack } from '../lib/event-relay-stack';
import { DEFAULT_STACK_NAME } from '../lib/synth';
import { synthSummary } from './synth-summary';

const app = new App();
const stackName: unknown = app.node.tryGetContext('stackName');
new EventRelayStack(app, typeof stackName === 'string' && stackName !== '' ? stackName : DEFAULT_STACK_NAME);
const nag = new AwsSolutionsChecks(app);
Validations.of(app).addPlugins(nag);

const assembly = app.synth();
for (const line of synthSummary(assembly.directory, [nag.name])) console.error(line);
