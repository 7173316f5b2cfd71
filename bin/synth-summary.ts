/**
 * What `npm run synth` prints instead of the template: per stack, where the template went and what is in
 * it, and what the validation plugins (cdk-nag's AwsSolutions pack, registered in bin/app.ts) concluded,
 * read from the cloud assembly's validation report.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

interface Manifest {
  artifacts?: Record<string, { type: string; properties?: { templateFile?: string } }>;
}

interface ValidationReport {
  pluginReports?: {
    pluginName: string;
    conclusion: 'success' | 'failure';
    violations?: { ruleName: string; violatingConstructs?: unknown[] }[];
  }[];
}

function readJson<T>(path: string, fallback: T): T {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : fallback;
}

/** The summary lines of the cloud assembly in `assemblyDir`; `plugins` names the validation plugins that ran. */
export function synthSummary(assemblyDir: string, plugins: readonly string[], cwd = process.cwd()): string[] {
  const lines: string[] = [];
  const manifest = readJson<Manifest>(join(assemblyDir, 'manifest.json'), {});
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || !templateFile) continue;
    const template = readJson<{ Resources?: Record<string, { Type: string }> }>(
      join(assemblyDir, templateFile),
      {},
    );
    const counts = new Map<string, number>();
    for (const { Type } of Object.values(template.Resources ?? {}))
      counts.set(Type, (counts.get(Type) ?? 0) + 1);
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    const largest = [...counts]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 6)
      .map(([type, count]) => `${count} ${type.replace(/^AWS::/, '')}`);
    lines.push(`${name}: ${total} resources in ${relative(cwd, join(assemblyDir, templateFile))}`);
    lines.push(`  ${largest.join(', ')}, …`);
  }
  const report = readJson<ValidationReport>(join(assemblyDir, 'validation-report.json'), {});
  for (const plugin of plugins) {
    const found = (report.pluginReports ?? []).filter((entry) => entry.pluginName === plugin);
    const violations = found.flatMap((entry) => entry.violations ?? []);
    if (found.every((entry) => entry.conclusion === 'success') && violations.length === 0) {
      lines.push(`${plugin} checks (cdk-nag): passed, no unacknowledged findings`);
    } else {
      const rules = [...new Set(violations.map((violation) => violation.ruleName))].join(', ');
      lines.push(`${plugin} checks (cdk-nag): FAILED, ${violations.length} finding(s): ${rules}`);
    }
  }
  return lines;
}
