/**
 * Builds the stack in a fresh app. `synthTemplate` returns its CloudFormation template: the local mode
 * reads it (tables, queues, rules, event source mappings, routes, function environments) so that it runs
 * exactly what would be deployed, and the tests assert on it.
 *
 * Fast by default: bundling is skipped (context `aws:cdk:bundling-stacks: []`; the template differs only
 * in asset hashes) and so is CDK's built-in CloudFormation validation, which `cdk synth` still runs.
 */
import { App } from 'aws-cdk-lib';
import type { ConfigSettings } from './config';
import { EventRelayStack } from './event-relay-stack';

export const DEFAULT_STACK_NAME = 'EventRelay';

export interface SynthOptions {
  /** Bundle the functions with esbuild (default false). */
  readonly bundle?: boolean;
  /** Run CDK's built-in CloudFormation template validation during synthesis (default false). */
  readonly validate?: boolean;
  /** Context values, as cdk.json or `-c key=value` would give them. */
  readonly context?: Record<string, unknown>;
}

export function buildStack(config: ConfigSettings = {}, options: SynthOptions = {}): EventRelayStack {
  const app = new App({
    builtinCloudFormationValidation: options.validate ?? false,
    context: { ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...options.context },
  });
  return new EventRelayStack(app, DEFAULT_STACK_NAME, { config });
}

/** A CloudFormation template: untyped JSON, read by key. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CloudFormationTemplate = Record<string, any>;

/** The synthesized template of the stack with `config` over the defaults. */
export function synthTemplate(
  config: ConfigSettings = {},
  options: SynthOptions = {},
): CloudFormationTemplate {
  const stack = buildStack(config, options);
  const app = stack.node.root as App;
  return app.synth().getStackByName(stack.stackName).template as CloudFormationTemplate;
}
