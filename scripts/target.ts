/**
 * Where the operator commands (`npm run tenant`, `npm run redrive`) act: the running local mode, or a
 * deployed stack. Either way they end up with the same environment the Lambdas get (table names,
 * queue URLs, emulator endpoints), so they reuse the functions' own repositories.
 *
 * - `--local` (or no option while the local mode runs): reads the state file the local mode writes.
 * - `--outputs <file>`: reads `cdk deploy --outputs-file <file>` (AWS credentials from the usual chain).
 * - otherwise: the environment as it is (TENANTS_TABLE, DELIVERY_QUEUE_URLS, ... set by hand).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The AWS SDK prints an eight-line notice on Node.js 20 (its releases after January 2027 will need
 * Node.js 22). The tools support Node.js 20.19 and later (package.json `engines`) with the SDK versions
 * pinned in the lock file, so on every operator command the notice would only be noise. Set before the
 * first SDK client is built; an explicit setting wins.
 */
export function quietSdkNodeNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** The file `npm start` writes while it runs and removes when it stops. */
export const LOCAL_STATE_FILE = join(process.cwd(), '.event-relay', 'local.json');

export interface LocalState {
  /** Environment the local functions run with: emulator endpoints, table names, queue URLs. */
  env: Record<string, string>;
  apiUrl: string;
}

/** Stack output key → environment variable the functions use. */
export const OUTPUT_ENV: Readonly<Record<string, string>> = {
  TenantsTable: 'TENANTS_TABLE',
  SubscriptionsTable: 'SUBSCRIPTIONS_TABLE',
  IntegrationsTable: 'INTEGRATIONS_TABLE',
  DeliveriesTable: 'DELIVERIES_TABLE',
  IdempotencyTable: 'IDEMPOTENCY_TABLE',
  PortalSessionsTable: 'PORTAL_SESSIONS_TABLE',
  DeliveryQueueUrls: 'DELIVERY_QUEUE_URLS',
  DeadLetterQueueUrls: 'DEAD_LETTER_QUEUE_URLS',
  TargetDeadLetterQueueUrls: 'TARGET_DEAD_LETTER_QUEUE_URLS',
  ApiUrl: 'API_URL',
};

export interface Target {
  description: string;
  env: Record<string, string>;
}

/** Removes the target options from `argv` and applies the target's environment to this process. */
export function useTarget(argv: string[]): { target: Target; rest: string[] } {
  quietSdkNodeNotice();
  const rest = [...argv];
  const take = (flag: string): string | undefined => {
    const at = rest.indexOf(flag);
    if (at < 0) return undefined;
    const [, value] = rest.splice(at, 2);
    if (value === undefined) throw new Error(`${flag} needs a value`);
    return value;
  };
  const localFlag = rest.indexOf('--local');
  if (localFlag >= 0) rest.splice(localFlag, 1);
  const outputsFile = take('--outputs');

  let target: Target;
  if (outputsFile) {
    const stacks = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
    const [stackName, outputs] = Object.entries(stacks)[0] ?? [];
    if (!outputs) throw new Error(`${outputsFile} has no stack outputs`);
    const env: Record<string, string> = {};
    for (const [output, value] of Object.entries(outputs)) {
      const name = OUTPUT_ENV[output];
      if (name) env[name] = value;
    }
    target = { description: `stack ${stackName}`, env };
  } else if (localFlag >= 0 || (!process.env.TENANTS_TABLE && existsSync(LOCAL_STATE_FILE))) {
    if (!existsSync(LOCAL_STATE_FILE))
      throw new Error('the local mode is not running: start it with `npm start`');
    const state = JSON.parse(readFileSync(LOCAL_STATE_FILE, 'utf8')) as LocalState;
    target = { description: `local mode at ${state.apiUrl}`, env: state.env };
  } else {
    target = { description: 'the environment', env: {} };
  }
  Object.assign(process.env, target.env);
  return { target, rest };
}
