/** Helpers for reading the synthesized template in the stack tests. */
import { Stack, type App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { ConfigSettings } from '../../lib/config';
import type { EventRelayStack } from '../../lib/event-relay-stack';
import { buildStack, type SynthOptions } from '../../lib/synth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON
export type Json = any;

export interface Synthesized {
  stack: EventRelayStack;
  json: Record<string, Json>;
  template: Template;
  /** The logical id of a construct's CloudFormation resource (the construct or its default child). */
  idOf(construct: IConstruct): string;
}

/** Synthesizes without bundling (the tests do it once per file). */
export function synthesize(config: ConfigSettings = {}, options: SynthOptions = {}): Synthesized {
  const stack = buildStack(config, options);
  const json = (stack.node.root as App).synth().getStackByName(stack.stackName).template as Record<
    string,
    Json
  >;
  const idOf = (construct: IConstruct) =>
    Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);
  return { stack, json, template: Template.fromJSON(json), idOf };
}

/** `[logicalId, resource]` pairs of one type. */
export function resourcesOfType(json: Record<string, Json>, type: string): [string, Json][] {
  return Object.entries(json.Resources as Record<string, Json>).filter(
    ([, resource]) => resource.Type === type,
  );
}

/** Logical ids referenced anywhere in a value (`Ref`, `Fn::GetAtt`). */
export function referencedIds(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedIds);
  if (value && typeof value === 'object') {
    if (typeof value.Ref === 'string') return value.Ref.startsWith('AWS::') ? [] : [value.Ref];
    if (Array.isArray(value['Fn::GetAtt'])) return [value['Fn::GetAtt'][0]];
    return Object.values(value).flatMap(referencedIds);
  }
  return [];
}

/**
 * The permissions of a function's role: for each resource (a logical id, with `/index/*` when the
 * statement names a table's indexes) the set of allowed actions.
 */
export function permissionsOf(json: Record<string, Json>, functionId: string): Map<string, Set<string>> {
  return permissionsOfRole(json, referencedIds(json.Resources[functionId].Properties.Role)[0]!);
}

/** The same, of a role by its logical id. */
export function permissionsOfRole(json: Record<string, Json>, roleId: string): Map<string, Set<string>> {
  const permissions = new Map<string, Set<string>>();
  for (const [, policy] of resourcesOfType(json, 'AWS::IAM::Policy')) {
    if (!referencedIds(policy.Properties.Roles).includes(roleId)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as Json[]) {
      expect(statement.Effect).toBe('Allow');
      const actions: string[] = [statement.Action].flat();
      for (const resource of [statement.Resource].flat()) {
        const key = resourceKey(resource);
        const set = permissions.get(key) ?? new Set<string>();
        actions.forEach((action) => set.add(action));
        permissions.set(key, set);
      }
    }
  }
  return permissions;
}

function resourceKey(resource: Json): string {
  if (typeof resource === 'string') return resource;
  const join = resource['Fn::Join'];
  if (join) {
    const parts = join[1] as Json[];
    return parts.map((part) => (typeof part === 'string' ? part : referencedIds(part).join(''))).join('');
  }
  const ids = referencedIds(resource);
  if (ids.length !== 1) throw new Error(`unexpected resource ${JSON.stringify(resource)}`);
  return ids[0]!;
}
