/**
 * Reads what the local mode builds out of the synthesized CloudFormation template: the tables, queues,
 * bus and rules, event source mappings, HTTP routes and functions. Everything comes from the template,
 * so the local mode runs what `cdk deploy` would deploy; values that name other resources stay
 * unresolved here and are resolved once the local resources exist (see intrinsics.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { FUNCTION_NAMES, functionId, type FunctionName } from '../lib/functions';
import type { CloudFormationTemplate } from '../lib/synth';
import { referencedLogicalIds, resourcesOfType, UnsupportedTemplateError } from './intrinsics';

const REPO_ROOT = join(__dirname, '..');

export interface TablePlan {
  logicalId: string;
  /** CreateTable input without the table name. The TTL, PITR, SSE and deletion-protection settings are left out. */
  input: Omit<CreateTableCommandInput, 'TableName'>;
}

export interface QueuePlan {
  logicalId: string;
  /** SQS attributes (CloudFormation property names are SQS attribute names); values may hold intrinsics. */
  attributes: Record<string, unknown>;
  /** The queue its RedrivePolicy sends to, which must exist first. */
  deadLetterQueue?: string;
}

export interface EventPattern {
  [field: string]: unknown;
}

export interface RulePlan {
  logicalId: string;
  busLogicalId: string;
  pattern: EventPattern;
  /** Logical ids of the target queues. */
  targetQueues: string[];
  /** Per target queue, the logical id of the queue EventBridge sends an event to when it cannot deliver it. */
  targetDeadLetterQueues: Record<string, string>;
}

export interface BusPlan {
  logicalId: string;
  name: string;
}

export interface EventSourceMappingPlan {
  logicalId: string;
  queueLogicalId: string;
  functionLogicalId: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  reportBatchItemFailures: boolean;
  maximumConcurrency: number;
}

export interface AuthorizerPlan {
  functionLogicalId: string;
  /** e.g. `$request.header.Authorization` */
  identitySource: string[];
}

export interface RoutePlan {
  routeKey: string;
  method: string;
  path: string;
  functionLogicalId: string;
  authorizer?: AuthorizerPlan;
}

export interface FunctionPlan {
  logicalId: string;
  name: FunctionName;
  /** Absolute path of the handler module. */
  entry: string;
  /** `Environment.Variables`, values possibly holding intrinsics. */
  environment: Record<string, unknown>;
  timeoutSeconds: number;
}

export interface ScheduleGroupPlan {
  logicalId: string;
  /** The group's name when the template sets one (else the local mode names it). */
  name?: string;
}

export interface LocalPlan {
  tables: TablePlan[];
  queues: QueuePlan[];
  buses: BusPlan[];
  rules: RulePlan[];
  eventSourceMappings: EventSourceMappingPlan[];
  routes: RoutePlan[];
  functions: FunctionPlan[];
  /** EventBridge Scheduler groups: retries that wait longer than SQS can hold (local/scheduler.ts). */
  scheduleGroups: ScheduleGroupPlan[];
}

/** Resource types the local mode builds or uses. */
export const EMULATED_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Lambda::Function',
  'AWS::Lambda::EventSourceMapping',
  'AWS::ApiGatewayV2::Api',
  'AWS::ApiGatewayV2::Route',
  'AWS::ApiGatewayV2::Integration',
  'AWS::ApiGatewayV2::Authorizer',
  'AWS::Scheduler::ScheduleGroup',
] as const;

/** Resource types with nothing to run locally (permissions, logs, monitoring, encryption, archive). */
export const NOT_EMULATED_TYPES = [
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::SQS::QueuePolicy',
  'AWS::Events::Archive',
  'AWS::ApiGatewayV2::Stage',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::KMS::Key',
] as const;

/** Resource types in the template the local mode knows nothing about (a test keeps this empty). */
export function unknownResourceTypes(template: CloudFormationTemplate): string[] {
  const known = new Set<string>([...EMULATED_TYPES, ...NOT_EMULATED_TYPES]);
  const types = Object.values((template.Resources ?? {}) as Record<string, { Type: string }>).map(
    (resource) => resource.Type,
  );
  return [...new Set(types)].filter((type) => !known.has(type)).sort();
}

function tablePlan(logicalId: string, properties: Record<string, unknown>): TablePlan {
  const {
    KeySchema,
    AttributeDefinitions,
    GlobalSecondaryIndexes,
    LocalSecondaryIndexes,
    BillingMode,
    ProvisionedThroughput,
  } = properties as Omit<CreateTableCommandInput, 'TableName'>;
  return {
    logicalId,
    input: {
      KeySchema,
      AttributeDefinitions,
      BillingMode: BillingMode ?? 'PAY_PER_REQUEST',
      ...(ProvisionedThroughput ? { ProvisionedThroughput } : {}),
      ...(GlobalSecondaryIndexes?.length ? { GlobalSecondaryIndexes } : {}),
      ...(LocalSecondaryIndexes?.length ? { LocalSecondaryIndexes } : {}),
    },
  };
}

/** CloudFormation queue properties that are SQS attributes; encryption settings have no local meaning. */
const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
] as const;

function queuePlan(logicalId: string, properties: Record<string, unknown>): QueuePlan {
  const attributes: Record<string, unknown> = {};
  for (const name of QUEUE_ATTRIBUTES) {
    if (properties[name] !== undefined) attributes[name] = properties[name];
  }
  const redrive = properties.RedrivePolicy as { deadLetterTargetArn?: unknown } | undefined;
  const deadLetterQueue = redrive ? referencedLogicalIds(redrive.deadLetterTargetArn)[0] : undefined;
  return { logicalId, attributes, ...(deadLetterQueue ? { deadLetterQueue } : {}) };
}

/** Dead-letter queues before the queues that redrive to them. */
function inCreationOrder(queues: QueuePlan[]): QueuePlan[] {
  const ordered: QueuePlan[] = [];
  const placed = new Set<string>();
  const place = (queue: QueuePlan, path: string[] = []) => {
    if (placed.has(queue.logicalId)) return;
    if (path.includes(queue.logicalId)) throw new UnsupportedTemplateError('queues redrive in a cycle');
    const target = queue.deadLetterQueue && queues.find((q) => q.logicalId === queue.deadLetterQueue);
    if (target) place(target, [...path, queue.logicalId]);
    placed.add(queue.logicalId);
    ordered.push(queue);
  };
  queues.forEach((queue) => place(queue));
  return ordered;
}

/**
 * The handler module of a function. The stack builds each function from `lambdas/<name>/handler.ts`
 * with construct id `functionId(name)` under the `Functions` construct, so its logical id is
 * `Functions<Id><8-hex hash>`.
 */
export function functionNameOf(logicalId: string): FunctionName | undefined {
  return FUNCTION_NAMES.find((name) =>
    new RegExp(`^Functions${functionId(name)}[0-9A-F]{8}$`).test(logicalId),
  );
}

function functionPlan(logicalId: string, properties: Record<string, unknown>): FunctionPlan {
  const name = functionNameOf(logicalId);
  if (!name) throw new UnsupportedTemplateError(`cannot tell which handler function ${logicalId} runs`);
  const entry = join(REPO_ROOT, 'lambdas', name, 'handler.ts');
  if (!existsSync(entry)) throw new UnsupportedTemplateError(`function ${logicalId}: no ${entry}`);
  const environment = ((properties.Environment as { Variables?: Record<string, unknown> } | undefined)
    ?.Variables ?? {}) as Record<string, unknown>;
  return {
    logicalId,
    name,
    entry,
    environment,
    timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
  };
}

function firstOfType(template: CloudFormationTemplate, value: unknown, type: string): string | undefined {
  return referencedLogicalIds(value).find((id) => template.Resources?.[id]?.Type === type);
}

/** The route key of API Gateway's catch-all route. */
export const DEFAULT_ROUTE_KEY = '$default';

function routePlans(template: CloudFormationTemplate): RoutePlan[] {
  return resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([logicalId, properties]) => {
    const routeKey = String(properties.RouteKey);
    // `$default` catches whatever no other route matches; it is served last, as API Gateway does.
    const [method, path] = routeKey === DEFAULT_ROUTE_KEY ? [routeKey, routeKey] : routeKey.split(' ');
    // A greedy `{name+}` is supported as the last segment only, as API Gateway allows it.
    if (!method || !path || /[+*]/.test(path.replace(/\/\{\w+\+\}$/, ''))) {
      throw new UnsupportedTemplateError(`route ${logicalId}: route key "${routeKey}" is not supported`);
    }
    const integrationId = firstOfType(template, properties.Target, 'AWS::ApiGatewayV2::Integration');
    const integration = integrationId ? template.Resources[integrationId].Properties : undefined;
    if (integration?.IntegrationType !== 'AWS_PROXY' || integration.PayloadFormatVersion !== '2.0') {
      throw new UnsupportedTemplateError(`route ${routeKey}: only Lambda proxy integrations (payload 2.0)`);
    }
    const functionLogicalId = firstOfType(template, integration.IntegrationUri, 'AWS::Lambda::Function');
    if (!functionLogicalId) throw new UnsupportedTemplateError(`route ${routeKey}: no function`);
    const route: RoutePlan = { routeKey, method, path, functionLogicalId };
    if (properties.AuthorizationType === 'CUSTOM') {
      const authorizerId = firstOfType(template, properties.AuthorizerId, 'AWS::ApiGatewayV2::Authorizer');
      const authorizer = authorizerId ? template.Resources[authorizerId].Properties : undefined;
      const authorizerFunction =
        authorizer && firstOfType(template, authorizer.AuthorizerUri, 'AWS::Lambda::Function');
      if (
        !authorizer ||
        !authorizerFunction ||
        authorizer.AuthorizerType !== 'REQUEST' ||
        authorizer.AuthorizerPayloadFormatVersion !== '2.0' ||
        authorizer.EnableSimpleResponses !== true
      ) {
        throw new UnsupportedTemplateError(
          `route ${routeKey}: only Lambda REQUEST authorizers with simple responses (payload 2.0)`,
        );
      }
      route.authorizer = {
        functionLogicalId: authorizerFunction,
        identitySource: (authorizer.IdentitySource as string[] | undefined) ?? [],
      };
    } else if (properties.AuthorizationType !== undefined && properties.AuthorizationType !== 'NONE') {
      throw new UnsupportedTemplateError(`route ${routeKey}: authorization ${properties.AuthorizationType}`);
    }
    return route;
  });
}

export function planFromTemplate(template: CloudFormationTemplate): LocalPlan {
  const queues = resourcesOfType(template, 'AWS::SQS::Queue').map(([id, p]) => queuePlan(id, p));
  return {
    tables: resourcesOfType(template, 'AWS::DynamoDB::Table').map(([id, p]) => tablePlan(id, p)),
    queues: inCreationOrder(queues),
    buses: resourcesOfType(template, 'AWS::Events::EventBus').map(([logicalId, properties]) => ({
      logicalId,
      name: typeof properties.Name === 'string' ? properties.Name : logicalId,
    })),
    rules: resourcesOfType(template, 'AWS::Events::Rule').map(([logicalId, properties]) => {
      const busLogicalId = firstOfType(template, properties.EventBusName, 'AWS::Events::EventBus');
      if (!busLogicalId)
        throw new UnsupportedTemplateError(`rule ${logicalId}: only rules on the stack's bus`);
      if (properties.State !== undefined && properties.State !== 'ENABLED') {
        throw new UnsupportedTemplateError(`rule ${logicalId}: state ${String(properties.State)}`);
      }
      const targets = (properties.Targets ?? []) as {
        Arn: unknown;
        Input?: unknown;
        InputPath?: unknown;
        DeadLetterConfig?: { Arn?: unknown };
      }[];
      const targetDeadLetterQueues: Record<string, string> = {};
      const targetQueues = targets.map((target) => {
        const queue = firstOfType(template, target.Arn, 'AWS::SQS::Queue');
        if (
          !queue ||
          target.Input !== undefined ||
          target.InputPath !== undefined ||
          'InputTransformer' in target
        ) {
          throw new UnsupportedTemplateError(`rule ${logicalId}: only SQS targets receiving the whole event`);
        }
        if (target.DeadLetterConfig !== undefined) {
          const deadLetterQueue = firstOfType(template, target.DeadLetterConfig.Arn, 'AWS::SQS::Queue');
          if (!deadLetterQueue) {
            throw new UnsupportedTemplateError(`rule ${logicalId}: only SQS dead-letter queues of the stack`);
          }
          targetDeadLetterQueues[queue] = deadLetterQueue;
        }
        return queue;
      });
      return {
        logicalId,
        busLogicalId,
        pattern: properties.EventPattern as EventPattern,
        targetQueues,
        targetDeadLetterQueues,
      };
    }),
    eventSourceMappings: resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').map(
      ([logicalId, properties]) => {
        const queueLogicalId = firstOfType(template, properties.EventSourceArn, 'AWS::SQS::Queue');
        const functionLogicalId = firstOfType(template, properties.FunctionName, 'AWS::Lambda::Function');
        if (!queueLogicalId || !functionLogicalId) {
          throw new UnsupportedTemplateError(
            `event source mapping ${logicalId}: only SQS queues of the stack`,
          );
        }
        const responseTypes = (properties.FunctionResponseTypes ?? []) as string[];
        return {
          logicalId,
          queueLogicalId,
          functionLogicalId,
          batchSize: typeof properties.BatchSize === 'number' ? properties.BatchSize : 10,
          maximumBatchingWindowInSeconds:
            typeof properties.MaximumBatchingWindowInSeconds === 'number'
              ? properties.MaximumBatchingWindowInSeconds
              : 0,
          reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
          maximumConcurrency:
            (properties.ScalingConfig as { MaximumConcurrency?: number } | undefined)?.MaximumConcurrency ??
            2,
        };
      },
    ),
    routes: routePlans(template),
    functions: resourcesOfType(template, 'AWS::Lambda::Function').map(([id, p]) => functionPlan(id, p)),
    scheduleGroups: resourcesOfType(template, 'AWS::Scheduler::ScheduleGroup').map(([logicalId, p]) => ({
      logicalId,
      ...(typeof p.Name === 'string' ? { name: p.Name } : {}),
    })),
  };
}
