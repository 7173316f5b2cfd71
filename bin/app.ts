#!/usr/bin/env node
/**
 * The CDK app: one event-relay stack, configured through cdk.json context (see lib/config.ts and the
 * README's configuration table). Environment-agnostic, so `cdk synth` needs no AWS account; `cdk deploy`
 * deploys to the CLI's account and region. Synthesis fails on any unacknowledged cdk-nag AwsSolutions
 * finding.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EventRelayStack } from '../lib/event-relay-stack';
import { DEFAULT_STACK_NAME } from '../lib/synth';

const app = new App();
const stackName: unknown = app.node.tryGetContext('stackName');
new EventRelayStack(app, typeof stackName === 'string' && stackName !== '' ? stackName : DEFAULT_STACK_NAME);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
