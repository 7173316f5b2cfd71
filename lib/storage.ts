/** The DynamoDB tables, built from the shared definitions in `lambdas/shared/tables.ts`. */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type TableDefinition } from '../lambdas/shared/tables';

export interface StorageProps {
  readonly removalPolicy: RemovalPolicy;
}

export class Storage extends Construct {
  /** Tables by their definition id (`Tenants`, `Subscriptions`, ...). */
  readonly tables: Readonly<Record<string, Table>>;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    this.tables = Object.fromEntries(
      TABLES.map((definition) => [definition.id, this.buildTable(definition, props.removalPolicy)]),
    );
  }

  /** The table of a definition from `lambdas/shared/tables.ts`. */
  table(definition: TableDefinition): Table {
    const table = this.tables[definition.id];
    if (!table) throw new Error(`no table ${definition.id}`);
    return table;
  }

  private buildTable(definition: TableDefinition, removalPolicy: RemovalPolicy): Table {
    const key = (name: string) => ({ name, type: AttributeType.STRING });
    const table = new Table(this, definition.id, {
      partitionKey: key(definition.partitionKey),
      ...(definition.sortKey ? { sortKey: key(definition.sortKey) } : {}),
      ...(definition.ttlAttribute ? { timeToLiveAttribute: definition.ttlAttribute } : {}),
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    for (const index of definition.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: key(index.partitionKey),
        ...(index.sortKey ? { sortKey: key(index.sortKey) } : {}),
      });
    }
    for (const index of definition.localIndexes) {
      if (!index.sortKey) throw new Error(`local index ${index.name} of ${definition.id} needs a sort key`);
      table.addLocalSecondaryIndex({ indexName: index.name, sortKey: key(index.sortKey) });
    }
    return table;
  }
}
