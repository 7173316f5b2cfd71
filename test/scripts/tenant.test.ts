import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { main } from '../../scripts/tenant';
import { findTenantByApiKey } from '../../lambdas/shared/tenants';
import { useEmulators } from '../support/emulators';

describe('npm run tenant', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
  });
  afterAll(() => emulators.stop());

  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('creates a tenant, prints its key once, lists, adds and revokes keys', async () => {
    const created = await run('create', 'Acme', 'Corp');
    expect(created.code).toBe(0);
    const tenantId = /tenant (tn_\w+) \(Acme Corp\) created/.exec(created.out)?.[1];
    const [, firstKeyId, firstKey] = /api key (key_\w+): (er_live_\S+)/.exec(created.out) ?? [];
    expect(tenantId).toBeDefined();
    expect(await findTenantByApiKey(firstKey!)).toEqual({ tenantId, keyId: firstKeyId });

    const listed = await run('list');
    expect(listed.out).toContain(`${tenantId}\t`);
    expect(listed.out).toContain('Acme Corp');

    const added = await run('add-key', tenantId!);
    const [, secondKeyId, secondKey] = /api key (key_\w+): (er_live_\S+)/.exec(added.out) ?? [];
    expect(added.code).toBe(0);

    const revoked = await run('revoke', tenantId!, firstKeyId!);
    expect(revoked.code).toBe(0);
    expect(await findTenantByApiKey(firstKey!)).toBeUndefined();
    expect(await findTenantByApiKey(secondKey!)).toEqual({ tenantId, keyId: secondKeyId });

    const keys = await run('keys', tenantId!);
    expect(keys.out).toContain(`${firstKeyId}\t${firstKey!.slice(0, 12)}…`);
    expect(keys.out).toMatch(new RegExp(`${firstKeyId}.*revoked`));
    expect(keys.out).toMatch(new RegExp(`${secondKeyId}.*active`));
    expect(keys.out).not.toContain(firstKey);
    expect(keys.out).not.toContain(secondKey);
  });

  it('reports errors and usage with a non-zero exit code', async () => {
    expect(await run('revoke', 'tn_nobody', 'key_nothing')).toMatchObject({
      code: 1,
      err: expect.stringContaining('has no key'),
    });
    expect(await run('add-key', 'tn_nobody')).toMatchObject({
      code: 1,
      err: expect.stringContaining('No tenant'),
    });
    expect(await run('frobnicate')).toMatchObject({
      code: 2,
      err: expect.stringContaining('usage: npm run tenant'),
    });
    expect(await run('create')).toMatchObject({ code: 2 });
  });

  it('runs as a command without the AWS SDK notice about Node.js versions', async () => {
    const { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: _quiet, ...environment } = process.env;
    const { stdout, stderr } = await promisify(execFile)(
      join(__dirname, '../../node_modules/.bin/tsx'),
      ['scripts/tenant.ts', 'list'],
      { cwd: join(__dirname, '../..'), env: environment },
    );
    expect(stdout).toContain('Acme Corp');
    expect(stderr).toBe('');
  });
});
