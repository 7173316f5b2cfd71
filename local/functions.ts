/**
 * The stack's functions, run in this process: each handler module loaded from its entry file and
 * invoked with a Lambda context, as the Lambda runtime would.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionPlan } from './template';

export type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface LocalFunction {
  logicalId: string;
  name: string;
  /** Runs the handler once with a fresh context. */
  invoke(event: unknown): Promise<unknown>;
}

/** A Lambda context for one invocation. */
export function lambdaContext(
  functionName: string,
  timeoutSeconds: number,
  region: string,
  accountId: string,
): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Loads a function's handler module (after the environment is set: handlers read it lazily anyway). */
export async function loadFunction(
  plan: FunctionPlan,
  physicalName: string,
  settings: { region: string; accountId: string },
): Promise<LocalFunction> {
  const module = (await import(plan.entry)) as { handler?: LambdaHandler };
  const { handler } = module;
  if (typeof handler !== 'function') throw new Error(`${plan.entry} exports no handler`);
  return {
    logicalId: plan.logicalId,
    name: plan.name,
    invoke: (event) =>
      handler(event, lambdaContext(physicalName, plan.timeoutSeconds, settings.region, settings.accountId)),
  };
}
