/**
 * The whole stack on this machine, built from its synthesized CloudFormation template: tables on
 * DynamoDB, queues with their redrive policies on SQS (in-process dynalite and fauxqs, or the emulator
 * at `AWS_ENDPOINT_URL`), the bus and its rules on the local bus, the HTTP API's routes on a local
 * server, and the event source mappings as pollers, all running the very handler modules Lambda runs.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { ConfigSettings } from '../lib/config';
import { DEFAULT_STACK_NAME, synthTemplate, type CloudFormationTemplate } from '../lib/synth';
import { resetClients } from '../lambdas/shared/aws';
import { seedTenantWithKey } from '../lambdas/shared/tenants';
import { OUTPUT_ENV } from '../scripts/target';
import { startApiServer, type ServedRoute } from './api-server';
import { startDynalite, startFauxqsServer, type Emulator } from './emulators';
import { compilePattern, startEventBus, type LocalBus } from './event-bus';
import { loadFunction, type LocalFunction } from './functions';
import { Resolver, UnsupportedTemplateError, type ResourceValues } from './intrinsics';
import { startPoller, type Poller } from './poller';
import { startLocalScheduler, type LocalScheduler } from './scheduler';
import { planFromTemplate, type LocalPlan } from './template';

export interface LocalOptions {
  /** Where the settings come from: PORT, LOCAL_API_KEY, RETRY_SCHEDULE, ... (default `process.env`). */
  settings?: NodeJS.ProcessEnv;
  /** Port of the API; 0 picks a free one (default `$PORT`, else 3000). */
  port?: number;
  /** API keys to seed, one tenant each (default `$LOCAL_API_KEY`, comma-separated, else a new key). */
  apiKeys?: string[];
  /** Stack configuration taking precedence over the settings (tests). */
  config?: ConfigSettings;
  /** Variables set after the functions' own (e.g. `POWERTOOLS_LOG_LEVEL: 'SILENT'` in tests). */
  environment?: Record<string, string>;
  /** Receives one line per thing that happens (requests, publishes, deliveries). */
  log?(line: string): void;
}

export interface LocalStack {
  apiUrl: string;
  apiKeys: string[];
  /** Environment of the operator commands (`npm run tenant`, `npm run redrive`): the state file's `env`. */
  operatorEnv: Record<string, string>;
  template: CloudFormationTemplate;
  plan: LocalPlan;
  /** The local EventBridge Scheduler, when the template has schedule groups (a long-tail retry schedule). */
  scheduler?: Pick<LocalScheduler, 'schedules'>;
  /** Milliseconds from the call to ready. */
  startupMs: number;
  stop(): Promise<void>;
}

const DEFAULT_PORT = 3000;
/** A key for the local tenant, visibly not a deployed one. */
export function generateLocalApiKey(): string {
  return `er_local_${randomBytes(18).toString('base64url')}`;
}

const FAKE_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };
/** Function environment variables that would change this process rather than the handlers. */
const PROCESS_ONLY_VARIABLES = new Set(['NODE_OPTIONS']);

/** `PORT` as a number, refusing nonsense. */
function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`PORT must be a port number, got "${value}"`);
  return port;
}

function booleanSetting(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (['true', '1'].includes(value.toLowerCase())) return true;
  if (['false', '0'].includes(value.toLowerCase())) return false;
  throw new Error(`ALLOW_PRIVATE_TARGETS must be true or false, got "${value}"`);
}

/** The stack configuration the local mode synthesizes, from the settings. */
export function localConfig(
  settings: NodeJS.ProcessEnv,
  apiUrl: string,
  overrides: ConfigSettings = {},
): ConfigSettings {
  const config: Record<string, unknown> = {
    allowPrivateTargets: booleanSetting(settings.ALLOW_PRIVATE_TARGETS, true),
    publicUrl: settings.PUBLIC_URL || apiUrl,
    logLevel: settings.LOG_LEVEL?.toUpperCase() || 'ERROR',
  };
  if (settings.RETRY_SCHEDULE) config.retrySchedule = settings.RETRY_SCHEDULE;
  if (settings.DELIVERY_TIMEOUT_MS) config.deliveryTimeoutMs = settings.DELIVERY_TIMEOUT_MS;
  // parseConfig (lib/config.ts) validates the strings as it does for `-c key=value`.
  return { ...(config as ConfigSettings), ...overrides };
}

/** Sets environment variables, remembering what they were. */
class EnvironmentChanges {
  private readonly previous = new Map<string, string | undefined>();

  set(values: Record<string, string>): void {
    for (const [name, value] of Object.entries(values)) {
      if (!this.previous.has(name)) this.previous.set(name, process.env[name]);
      process.env[name] = value;
    }
  }

  restore(): void {
    for (const [name, value] of this.previous) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    this.previous.clear();
  }
}

/** The union of the functions' environments; the functions must agree on every shared name. */
export function functionEnvironment(plan: LocalPlan, resolver: Resolver): Record<string, string> {
  const union: Record<string, string> = {};
  const origin: Record<string, string> = {};
  for (const fn of plan.functions) {
    for (const [name, raw] of Object.entries(fn.environment)) {
      if (PROCESS_ONLY_VARIABLES.has(name)) continue;
      const value = resolver.string(raw);
      if (union[name] !== undefined && union[name] !== value) {
        throw new UnsupportedTemplateError(
          `${name} differs between functions ${origin[name]} and ${fn.logicalId}; they share one process locally`,
        );
      }
      union[name] = value;
      origin[name] = fn.logicalId;
    }
  }
  return union;
}

async function createTables(
  plan: LocalPlan,
  client: DynamoDBClient,
  nameOf: (logicalId: string) => string,
  arnPrefix: string,
  registry: Map<string, ResourceValues>,
): Promise<void> {
  await Promise.all(
    plan.tables.map(async (table) => {
      const TableName = nameOf(table.logicalId);
      try {
        await client.send(new CreateTableCommand({ ...table.input, TableName }));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      for (let tries = 0; ; tries++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName }));
        if (Table?.TableStatus === 'ACTIVE') break;
        if (tries > 500) throw new Error(`table ${TableName} did not become active`);
        await delay(20);
      }
      registry.set(table.logicalId, {
        ref: TableName,
        attributes: { Arn: `${arnPrefix}:table/${TableName}` },
      });
    }),
  );
}

async function createQueues(
  plan: LocalPlan,
  client: SQSClient,
  nameOf: (logicalId: string) => string,
  resolver: Resolver,
  registry: Map<string, ResourceValues>,
): Promise<void> {
  // In order: a dead-letter queue exists before the queue whose RedrivePolicy names its ARN.
  for (const queue of plan.queues) {
    const QueueName = nameOf(queue.logicalId);
    const Attributes = Object.fromEntries(
      Object.entries(queue.attributes).map(([name, value]) => {
        const resolved = resolver.resolve(value);
        return [name, typeof resolved === 'object' ? JSON.stringify(resolved) : String(resolved)];
      }),
    );
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName, Attributes }));
    const { Attributes: created } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    if (!QueueUrl || !created?.QueueArn) throw new Error(`queue ${QueueName} was not created`);
    registry.set(queue.logicalId, {
      ref: QueueUrl,
      attributes: { Arn: created.QueueArn, QueueName, QueueUrl },
    });
  }
}

/** Short name of a resource for the log: `FanOutOpenQueue2F9F4A5A` → `OpenQueue`. */
function label(logicalId: string): string {
  return logicalId.replace(/^FanOut/, '').replace(/[0-9A-F]{8}$/, '');
}

export async function startLocal(options: LocalOptions = {}): Promise<LocalStack> {
  const started = Date.now();
  const settings = options.settings ?? process.env;
  const log = options.log ?? (() => undefined);
  const apiKeys = options.apiKeys ??
    settings.LOCAL_API_KEY?.split(',')
      .map((key) => key.trim())
      .filter(Boolean) ?? [generateLocalApiKey()];
  if (apiKeys.length === 0) apiKeys.push(generateLocalApiKey());

  const environment = new EnvironmentChanges();
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => log(`stop: ${(error as Error).message}`));
    }
    resetClients();
    environment.restore();
  };

  try {
    const region = settings.AWS_REGION || settings.AWS_DEFAULT_REGION || 'us-east-1';
    const credentials =
      settings.AWS_ACCESS_KEY_ID || settings.AWS_PROFILE ? {} : (FAKE_CREDENTIALS as Record<string, string>);

    // The API listens first: its URL is the default PUBLIC_URL the template is synthesized with.
    const api = await startApiServer({
      port: options.port ?? portFrom(settings.PORT),
      accountId: '000000000000',
      region,
      log,
    });
    cleanups.push(() => api.stop());

    const external = settings.AWS_ENDPOINT_URL;
    let dynamoEndpoint: string;
    let sqsEndpoint: string;
    if (external) {
      dynamoEndpoint = settings.AWS_ENDPOINT_URL_DYNAMODB || external;
      sqsEndpoint = settings.AWS_ENDPOINT_URL_SQS || external;
    } else {
      const emulators: Emulator[] = await Promise.all([startDynalite(), startFauxqsServer()]);
      cleanups.push(async () => {
        await Promise.all(emulators.map((emulator) => emulator.stop()));
      });
      [dynamoEndpoint, sqsEndpoint] = emulators.map((emulator) => emulator.endpoint) as [string, string];
    }
    const clientConfig = {
      region,
      ...(credentials.AWS_ACCESS_KEY_ID
        ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
        : {}),
    };
    const dynamoClient = new DynamoDBClient({ ...clientConfig, endpoint: dynamoEndpoint });
    const sqsClient = new SQSClient({ ...clientConfig, endpoint: sqsEndpoint, useQueueUrlAsEndpoint: false });
    cleanups.push(async () => {
      dynamoClient.destroy();
      sqsClient.destroy();
    });

    const template = synthTemplate(localConfig(settings, api.url, options.config));
    const plan = planFromTemplate(template);
    const suffix = randomBytes(3).toString('hex');
    const nameOf = (logicalId: string) => `${DEFAULT_STACK_NAME}-${logicalId}-${suffix}`;
    const registry = new Map<string, ResourceValues>();

    await createQueues(
      plan,
      sqsClient,
      nameOf,
      new Resolver(registry, { region, accountId: '000000000000', stackName: DEFAULT_STACK_NAME }),
      registry,
    );
    // The account the SQS emulator puts in its ARNs is the account of every local ARN.
    const firstQueueArn = registry.get(plan.queues[0]?.logicalId ?? '')?.attributes.Arn ?? '';
    const accountId = firstQueueArn.split(':')[4] || '000000000000';
    const resolver = new Resolver(registry, { region, accountId, stackName: DEFAULT_STACK_NAME });
    await createTables(plan, dynamoClient, nameOf, `arn:aws:dynamodb:${region}:${accountId}`, registry);
    for (const bus of plan.buses) {
      registry.set(bus.logicalId, {
        ref: bus.name,
        attributes: { Arn: `arn:aws:events:${region}:${accountId}:event-bus/${bus.name}`, Name: bus.name },
      });
    }
    for (const fn of plan.functions) {
      const name = nameOf(fn.logicalId);
      registry.set(fn.logicalId, {
        ref: name,
        attributes: { Arn: `arn:aws:lambda:${region}:${accountId}:function:${name}` },
      });
    }
    for (const logicalId of Object.keys(template.Resources ?? {})) {
      const type = template.Resources[logicalId].Type;
      if (type === 'AWS::ApiGatewayV2::Api') {
        registry.set(logicalId, { ref: 'local', attributes: { ApiEndpoint: api.url, ApiId: 'local' } });
      }
      // Nothing runs as a role locally, but a role's ARN is passed on (the retry schedules name theirs).
      if (type === 'AWS::IAM::Role') {
        const name = nameOf(logicalId).slice(0, 64);
        registry.set(logicalId, { ref: name, attributes: { Arn: `arn:aws:iam::${accountId}:role/${name}` } });
      }
    }
    for (const group of plan.scheduleGroups) {
      const name = group.name ?? nameOf(group.logicalId);
      registry.set(group.logicalId, {
        ref: name,
        attributes: { Arn: `arn:aws:scheduler:${region}:${accountId}:schedule-group/${name}` },
      });
    }

    const send = async (queueUrl: string, body: string, attributes: Record<string, string> = {}) => {
      const MessageAttributes = Object.fromEntries(
        Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
      );
      await sqsClient.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageAttributes }),
      );
    };
    const bus: LocalBus = await startEventBus({
      region,
      accountId,
      log,
      send,
      buses: plan.buses.map((definition) => ({
        name: definition.name,
        arn: registry.get(definition.logicalId)!.attributes.Arn!,
        rules: plan.rules
          .filter((rule) => rule.busLogicalId === definition.logicalId)
          .map((rule) => ({
            name: rule.logicalId,
            matches: compilePattern(rule.pattern),
            targets: rule.targetQueues.map((queue) => {
              const deadLetterQueue = rule.targetDeadLetterQueues[queue];
              return {
                queueUrl: registry.get(queue)!.ref,
                label: label(queue),
                ...(deadLetterQueue && { deadLetterQueueUrl: registry.get(deadLetterQueue)!.ref }),
              };
            }),
          })),
      })),
    });
    cleanups.push(() => bus.stop());

    let scheduler: LocalScheduler | undefined;
    if (plan.scheduleGroups.length > 0) {
      const queueUrls = new Map(
        plan.queues.map((queue) => {
          const values = registry.get(queue.logicalId)!;
          return [values.attributes.Arn!, values.ref] as const;
        }),
      );
      scheduler = await startLocalScheduler({
        region,
        accountId,
        groups: plan.scheduleGroups.map((group) => registry.get(group.logicalId)!.ref),
        queueUrlOf: (arn) => queueUrls.get(arn),
        send,
        log,
      });
      cleanups.push(() => scheduler!.stop());
    }

    const endpoints = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ENDPOINT_URL_SQS: sqsEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: bus.endpoint,
      ...(scheduler ? { AWS_ENDPOINT_URL_SCHEDULER: scheduler.endpoint } : {}),
    };
    environment.set({
      AWS_REGION: region,
      ...credentials,
      ...endpoints,
      ...(settings.POWERTOOLS_METRICS_DISABLED ? {} : { POWERTOOLS_METRICS_DISABLED: 'true' }),
      // One process runs every invocation: give its SDK clients the sockets of many containers.
      SDK_MAX_SOCKETS: '1000',
      ...functionEnvironment(plan, resolver),
      ...options.environment,
    });
    resetClients();

    const functions = new Map<string, LocalFunction>();
    for (const fn of plan.functions) {
      functions.set(fn.logicalId, await loadFunction(fn, nameOf(fn.logicalId), { region, accountId }));
    }
    const invoker = (logicalId: string) => {
      const fn = functions.get(logicalId);
      if (!fn) throw new UnsupportedTemplateError(`no function ${logicalId}`);
      return fn.invoke;
    };

    for (const [index, key] of apiKeys.entries()) {
      await seedTenantWithKey(apiKeys.length > 1 ? `local tenant ${index + 1}` : 'local tenant', key);
    }

    const pollers: Poller[] = plan.eventSourceMappings.map((mapping) => {
      const queue = registry.get(mapping.queueLogicalId)!;
      const queuePlan = plan.queues.find((candidate) => candidate.logicalId === mapping.queueLogicalId);
      const maxReceiveCount = Number(
        (queuePlan?.attributes.RedrivePolicy as { maxReceiveCount?: unknown } | undefined)?.maxReceiveCount,
      );
      return startPoller({
        label: label(mapping.queueLogicalId),
        queueUrl: queue.ref,
        queueArn: queue.attributes.Arn!,
        region,
        batchSize: mapping.batchSize,
        maximumBatchingWindowInSeconds: mapping.maximumBatchingWindowInSeconds,
        reportBatchItemFailures: mapping.reportBatchItemFailures,
        maximumConcurrency: mapping.maximumConcurrency,
        ...(queuePlan?.deadLetterQueue && maxReceiveCount > 0
          ? { redrive: { maxReceiveCount, deadLetterLabel: label(queuePlan.deadLetterQueue) } }
          : {}),
        client: sqsClient,
        invoke: invoker(mapping.functionLogicalId) as (event: unknown) => Promise<unknown>,
        log,
      });
    });
    // Stopped before the emulators (cleanups run in reverse), so no receive hits a closed endpoint.
    cleanups.push(async () => {
      await Promise.all(pollers.map((poller) => poller.stop()));
    });

    api.serve(
      plan.routes.map((route): ServedRoute => ({
        method: route.method,
        path: route.path,
        routeKey: route.routeKey,
        invoke: invoker(route.functionLogicalId),
        ...(route.authorizer
          ? {
              authorizer: {
                identitySource: route.authorizer.identitySource,
                invoke: invoker(route.authorizer.functionLogicalId),
              },
            }
          : {}),
      })),
    );

    const operatorEnv: Record<string, string> = { AWS_REGION: region, ...credentials, ...endpoints };
    for (const [output, variable] of Object.entries(OUTPUT_ENV)) {
      const value = (template.Outputs ?? {})[output]?.Value;
      if (value !== undefined) operatorEnv[variable] = resolver.string(value);
    }

    return {
      apiUrl: api.url,
      apiKeys,
      operatorEnv,
      template,
      plan,
      ...(scheduler ? { scheduler } : {}),
      startupMs: Date.now() - started,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
