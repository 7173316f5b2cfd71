/**
 * Resolves the CloudFormation intrinsic functions the synthesized template uses in the values the local
 * mode needs (function environments, stack outputs, redrive policies) to local names, URLs and ARNs.
 * Anything else throws, naming the function, so a template change the local mode does not understand is
 * caught instead of silently producing a wrong value.
 */
import type { CloudFormationTemplate } from '../lib/synth';

/** Physical values of the template's resources: `Ref` and each `Fn::GetAtt` attribute. */
export interface ResourceValues {
  ref: string;
  attributes: Record<string, string>;
}

export type ResourceRegistry = ReadonlyMap<string, ResourceValues>;

export interface PseudoParameters {
  region: string;
  accountId: string;
  stackName: string;
}

export class UnsupportedTemplateError extends Error {
  constructor(message: string) {
    super(`local mode: ${message}`);
    this.name = 'UnsupportedTemplateError';
  }
}

function pseudo(name: string, parameters: PseudoParameters): string | undefined {
  switch (name) {
    case 'AWS::Region':
      return parameters.region;
    case 'AWS::AccountId':
      return parameters.accountId;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return parameters.stackName;
    default:
      return undefined;
  }
}

export class Resolver {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly parameters: PseudoParameters,
  ) {}

  ref(logicalId: string): string {
    const value = pseudo(logicalId, this.parameters) ?? this.registry.get(logicalId)?.ref;
    if (value === undefined) throw new UnsupportedTemplateError(`no local value for { Ref: ${logicalId} }`);
    return value;
  }

  getAtt(logicalId: string, attribute: string): string {
    const value = this.registry.get(logicalId)?.attributes[attribute];
    if (value === undefined) {
      throw new UnsupportedTemplateError(`no local value for { Fn::GetAtt: [${logicalId}, ${attribute}] }`);
    }
    return value;
  }

  /** Resolves every intrinsic in `value`, keeping plain JSON as it is. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [first] = entries;
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(first[0], first[1]);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.resolve(item)]));
  }

  /** Resolves `value` and requires a string (an environment variable, an output). */
  string(value: unknown): string {
    const resolved = this.resolve(value);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new UnsupportedTemplateError(`expected a string, got ${JSON.stringify(resolved)}`);
  }

  private intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument)
          ? (argument as string[])
          : String(argument).split(/\.(.*)/);
        return this.getAtt(String(logicalId), String(attribute));
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.resolve(parts) as unknown[]).map((part) => String(part)).join(separator);
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(this.resolve(argument));
      case 'Fn::Sub': {
        if (typeof argument !== 'string') {
          throw new UnsupportedTemplateError('Fn::Sub with a variable map is not supported');
        }
        return argument.replace(/\$\{([^}!]+)\}/g, (_, reference: string) => {
          const [logicalId, attribute] = reference.split(/\.(.*)/);
          return attribute ? this.getAtt(logicalId!, attribute) : this.ref(logicalId!);
        });
      }
      default:
        throw new UnsupportedTemplateError(`intrinsic function ${name} is not supported`);
    }
  }
}

/** The resources of one CloudFormation type, as `[logicalId, properties]`. */
export function resourcesOfType(
  template: CloudFormationTemplate,
  type: string,
): [string, Record<string, unknown>][] {
  return Object.entries((template.Resources ?? {}) as Record<string, { Type: string; Properties?: object }>)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => [logicalId, (resource.Properties ?? {}) as Record<string, unknown>]);
}

/** Every logical id a `{ Ref }` or `{ Fn::GetAtt }` inside `value` points at, pseudo parameters excluded. */
export function referencedLogicalIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedLogicalIds);
  if (value === null || typeof value !== 'object') return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return record.Ref.startsWith('AWS::') ? [] : [record.Ref];
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(record).flatMap(referencedLogicalIds);
}
