/**
 * Operator command for tenants and their API keys, against the local mode or a deployed stack:
 *
 *   npm run tenant -- create <name>            creates a tenant and prints its API key (once)
 *   npm run tenant -- list                     lists tenants
 *   npm run tenant -- keys <tenantId>          lists a tenant's keys (prefix, dates; never the key)
 *   npm run tenant -- add-key <tenantId>       adds a key and prints it (once)
 *   npm run tenant -- revoke <tenantId> <keyId>
 *
 * Target options (scripts/target.ts): `--local`, or `--outputs cdk-outputs.json`.
 */
import { useTarget } from './target';
import {
  createApiKey,
  createTenant,
  listApiKeys,
  listTenants,
  revokeApiKey,
} from '../lambdas/shared/tenants';

const USAGE = `usage: npm run tenant -- <command> [--local | --outputs <cdk-outputs.json>]
  create <name>               create a tenant and print its API key (shown once)
  list                        list tenants
  keys <tenantId>             list a tenant's API keys
  add-key <tenantId>          add an API key and print it (shown once)
  revoke <tenantId> <keyId>   revoke an API key`;

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };

/** Runs one command; returns the process exit code. */
export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  let rest: string[];
  try {
    ({ rest } = useTarget(argv));
  } catch (error) {
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
  if (!process.env.TENANTS_TABLE) {
    io.err(
      'error: no target: run `npm start` first, pass --outputs <cdk-outputs.json>, or set TENANTS_TABLE',
    );
    return 1;
  }
  const [command, ...args] = rest;
  try {
    switch (command) {
      case 'create': {
        const name = args.join(' ').trim();
        if (!name) break;
        const { tenant, apiKey, keyId } = await createTenant(name);
        io.out(`tenant ${tenant.tenantId} (${tenant.name}) created`);
        io.out(`api key ${keyId}: ${apiKey}`);
        io.out('Store the key now: it is not shown again.');
        return 0;
      }
      case 'list': {
        const tenants = await listTenants();
        if (tenants.length === 0) io.out('no tenants');
        for (const tenant of tenants) io.out(`${tenant.tenantId}\t${tenant.createdAt}\t${tenant.name}`);
        return 0;
      }
      case 'keys': {
        const [tenantId] = args;
        if (!tenantId) break;
        const keys = await listApiKeys(tenantId);
        if (keys.length === 0) io.out(`no keys for ${tenantId}`);
        for (const key of keys) {
          io.out(
            `${key.keyId}\t${key.prefix}…\tcreated ${key.createdAt}\t${key.revokedAt ? `revoked ${key.revokedAt}` : 'active'}`,
          );
        }
        return 0;
      }
      case 'add-key': {
        const [tenantId] = args;
        if (!tenantId) break;
        const { apiKey, keyId } = await createApiKey(tenantId);
        io.out(`api key ${keyId}: ${apiKey}`);
        io.out('Store the key now: it is not shown again.');
        return 0;
      }
      case 'revoke': {
        const [tenantId, keyId] = args;
        if (!tenantId || !keyId) break;
        const key = await revokeApiKey(tenantId, keyId);
        if (!key) {
          io.err(`error: tenant ${tenantId} has no key ${keyId}`);
          return 1;
        }
        io.out(`key ${keyId} revoked at ${key.revokedAt}`);
        return 0;
      }
    }
  } catch (error) {
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
  io.err(USAGE);
  return 2;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
