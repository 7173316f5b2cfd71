/**
 * A minimal local EventBridge Scheduler, for the retries that wait longer than SQS can hold a message
 * (lambdas/delivery/retry-scheduler.ts): `CreateSchedule`, `GetSchedule` and `DeleteSchedule` over
 * the REST-JSON protocol the SDK speaks, in the stack's schedule groups. A one-time `at()` schedule
 * sends its input to its target queue when its time comes (the templated SQS target), and is deleted
 * afterwards when its ActionAfterCompletion is DELETE. A send that fails is tried again a few times and
 * then put in the schedule's dead-letter queue with the error, as the Scheduler does after its retry
 * policy (there, up to 24 hours).
 *
 * Like the local bus, it implements exactly what the stack uses and refuses the rest (recurring
 * schedules, flexible time windows, targets that are not the stack's queues), so a change the local
 * mode would misjudge fails loudly. One difference from AWS: the Scheduler invokes a target within the
 * minute of its time (60-second precision); this one sends on the second.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

export interface LocalSchedulerOptions {
  region: string;
  accountId: string;
  /** The stack's schedule groups, by name. */
  groups: readonly string[];
  /** The URL of one of the stack's queues, by ARN; undefined for anything else. */
  queueUrlOf(arn: string): string | undefined;
  /** Sends one message body (with string message attributes) to a queue. */
  send(queueUrl: string, body: string, attributes?: Record<string, string>): Promise<void>;
  log?(line: string): void;
}

export interface LocalScheduler {
  endpoint: string;
  /** Schedules that exist (created and not yet deleted), as `group/name`. */
  schedules(): string[];
  stop(): Promise<void>;
}

interface Schedule {
  name: string;
  group: string;
  arn: string;
  expression: string;
  state: 'ENABLED' | 'DISABLED';
  actionAfterCompletion: 'NONE' | 'DELETE';
  target: { Arn: string; RoleArn: string; Input?: string; DeadLetterConfig?: { Arn?: string } };
  timer?: NodeJS.Timeout;
  fired: boolean;
}

const NAME = /^[0-9a-zA-Z-_.]{1,64}$/;
const AT = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/;
/** Sends tried before the dead-letter queue. */
const SEND_TRIES = 3;

class SchedulerError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

function reply(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  response.writeHead(status, {
    'content-type': 'application/json',
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startLocalScheduler(options: LocalSchedulerOptions, port = 0): Promise<LocalScheduler> {
  const schedules = new Map<string, Schedule>();
  const groups = new Set(['default', ...options.groups]);
  const log = options.log ?? (() => undefined);
  const key = (group: string, name: string) => `${group}/${name}`;

  const groupOf = (value: unknown): string => {
    const group = typeof value === 'string' && value !== '' ? value : 'default';
    if (!groups.has(group)) {
      throw new SchedulerError(404, 'ResourceNotFoundException', `Schedule group ${group} does not exist.`);
    }
    return group;
  };

  async function fire(schedule: Schedule): Promise<void> {
    schedule.fired = true;
    const queueUrl = options.queueUrlOf(schedule.target.Arn);
    let error = 'the target is not a queue of the stack';
    for (let attempt = 1; queueUrl && attempt <= SEND_TRIES; attempt++) {
      try {
        await options.send(queueUrl, schedule.target.Input ?? '{}');
        error = '';
        break;
      } catch (sendError) {
        error = (sendError as Error).message;
        await delay(100 * attempt);
      }
    }
    if (!error) log(`scheduler: ${schedule.name} sent its message back to its queue`);
    else {
      const deadLetterUrl = schedule.target.DeadLetterConfig?.Arn
        ? options.queueUrlOf(schedule.target.DeadLetterConfig.Arn)
        : undefined;
      log(
        `scheduler: ${schedule.name} could not send (${error})${deadLetterUrl ? '; to its dead-letter queue' : ''}`,
      );
      if (deadLetterUrl) {
        await options
          .send(deadLetterUrl, schedule.target.Input ?? '{}', {
            ERROR_CODE: 'SQS_FAILURE',
            ERROR_MESSAGE: error.slice(0, 256),
            SCHEDULE_ARN: schedule.arn,
            TARGET_ARN: schedule.target.Arn,
          })
          .catch((dlqError: unknown) => log(`scheduler: message lost: ${(dlqError as Error).message}`));
      }
    }
    if (schedule.actionAfterCompletion === 'DELETE') schedules.delete(key(schedule.group, schedule.name));
  }

  function create(name: string, body: Record<string, unknown>): { ScheduleArn: string } {
    if (!NAME.test(name))
      throw new SchedulerError(400, 'ValidationException', `Invalid schedule name ${name}.`);
    const group = groupOf(body.GroupName);
    const window = body.FlexibleTimeWindow as { Mode?: string } | undefined;
    if (!window?.Mode)
      throw new SchedulerError(400, 'ValidationException', 'FlexibleTimeWindow is required.');
    if (window.Mode !== 'OFF') {
      throw new SchedulerError(
        400,
        'ValidationException',
        'The local scheduler supports FlexibleTimeWindow OFF only.',
      );
    }
    const expression = String(body.ScheduleExpression ?? '');
    const at = AT.exec(expression);
    if (!at) {
      throw new SchedulerError(
        400,
        'ValidationException',
        `The local scheduler supports at() only, not ${expression}.`,
      );
    }
    const timezone = body.ScheduleExpressionTimezone ?? 'UTC';
    if (timezone !== 'UTC') {
      throw new SchedulerError(
        400,
        'ValidationException',
        `The local scheduler supports UTC only, not ${String(timezone)}.`,
      );
    }
    const target = body.Target as Schedule['target'] | undefined;
    if (!target?.Arn || !target.RoleArn) {
      throw new SchedulerError(400, 'ValidationException', 'Target.Arn and Target.RoleArn are required.');
    }
    if (!options.queueUrlOf(target.Arn)) {
      throw new SchedulerError(
        400,
        'ValidationException',
        `The local scheduler sends only to the stack's queues, not ${target.Arn}.`,
      );
    }
    if (schedules.has(key(group, name))) {
      throw new SchedulerError(409, 'ConflictException', `Schedule ${name} already exists.`);
    }
    const schedule: Schedule = {
      name,
      group,
      arn: `arn:aws:scheduler:${options.region}:${options.accountId}:schedule/${group}/${name}`,
      expression,
      state: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      actionAfterCompletion: body.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
      target,
      fired: false,
    };
    schedules.set(key(group, name), schedule);
    if (schedule.state === 'ENABLED') {
      const due = Date.parse(`${at[1]}Z`);
      schedule.timer = setTimeout(
        () => {
          void fire(schedule).catch((error: unknown) => log(`scheduler: ${(error as Error).message}`));
        },
        Math.max(0, due - Date.now()),
      );
    }
    log(`scheduler: ${name} created, ${expression}`);
    return { ScheduleArn: schedule.arn };
  }

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
      const body = await readBody(request);
      try {
        if (!match)
          throw new SchedulerError(
            404,
            'UnknownOperationException',
            `Not implemented: ${request.method} ${url.pathname}`,
          );
        const name = decodeURIComponent(match[1]!);
        if (request.method === 'POST') {
          let parsed: Record<string, unknown>;
          try {
            parsed = JSON.parse(body || '{}') as Record<string, unknown>;
          } catch {
            throw new SchedulerError(400, 'ValidationException', 'Malformed JSON.');
          }
          return reply(response, 200, create(name, parsed));
        }
        const group = groupOf(url.searchParams.get('groupName'));
        const schedule = schedules.get(key(group, name));
        if (!schedule)
          throw new SchedulerError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
        if (request.method === 'GET') {
          return reply(response, 200, {
            Name: schedule.name,
            GroupName: schedule.group,
            Arn: schedule.arn,
            ScheduleExpression: schedule.expression,
            State: schedule.state,
            ActionAfterCompletion: schedule.actionAfterCompletion,
            FlexibleTimeWindow: { Mode: 'OFF' },
            Target: schedule.target,
          });
        }
        if (request.method === 'DELETE') {
          clearTimeout(schedule.timer);
          schedules.delete(key(group, name));
          return reply(response, 200, {});
        }
        throw new SchedulerError(405, 'UnknownOperationException', `Not implemented: ${request.method}`);
      } catch (error) {
        if (!(error instanceof SchedulerError)) throw error;
        reply(response, error.status, { Message: error.message }, error.type);
      }
    })().catch((error: unknown) => {
      log(`scheduler: ${(error as Error).message}`);
      if (!response.headersSent) reply(response, 500, { Message: 'Error.' }, 'InternalServerException');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    schedules: () => [...schedules.keys()],
    stop: () =>
      new Promise<void>((resolve) => {
        for (const schedule of schedules.values()) clearTimeout(schedule.timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
