// A normalised, engine-neutral description of a relational schema. Both the Prisma schema and
// the live PostgreSQL catalog are read into this shape so that they can be compared exactly.

export interface RelationalModel {
  /** enum type name → ordered values */
  enums: Record<string, string[]>;
  tables: Record<string, TableModel>;
}

export interface TableModel {
  columns: Record<string, ColumnModel>;
  primaryKey: { name: string; columns: string[] };
  indexes: IndexModel[];
  foreignKeys: ForeignKeyModel[];
}

export interface ColumnModel {
  /** normalised SQL type: "text", "uuid", "integer", "bigint", "timestamptz(3)", "jsonb", enum name, "integer[]"… */
  type: string;
  nullable: boolean;
  /** normalised default: null, "autoincrement", "CURRENT_TIMESTAMP", or a SQL literal such as "'{}'" or "0" */
  default: string | null;
}

export interface IndexModel {
  name: string;
  columns: string[];
  unique: boolean;
}

export type ReferentialAction = 'CASCADE' | 'RESTRICT' | 'SET NULL' | 'NO ACTION' | 'SET DEFAULT';

export interface ForeignKeyModel {
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

/** Lists every difference between `expected` (the schema) and `actual` (the database), one line each. */
export function diffRelationalModels(expected: RelationalModel, actual: RelationalModel): string[] {
  const problems: string[] = [];
  diffEnums(expected.enums, actual.enums, problems);
  for (const [tableName, table] of Object.entries(expected.tables)) {
    const other = actual.tables[tableName];
    if (!other) {
      problems.push(`table "${tableName}" is in the schema but not in the database`);
      continue;
    }
    diffTable(tableName, table, other, problems);
  }
  for (const tableName of Object.keys(actual.tables)) {
    if (!expected.tables[tableName]) problems.push(`table "${tableName}" is in the database but not in the schema`);
  }
  return problems;
}

function diffEnums(expected: Record<string, string[]>, actual: Record<string, string[]>, problems: string[]): void {
  for (const [name, values] of Object.entries(expected)) {
    const other = actual[name];
    if (!other) problems.push(`enum "${name}" is in the schema but not in the database`);
    else if (values.join(',') !== other.join(','))
      problems.push(`enum "${name}" has values [${values.join(', ')}] in the schema but [${other.join(', ')}] in the database`);
  }
  for (const name of Object.keys(actual)) {
    if (!expected[name]) problems.push(`enum "${name}" is in the database but not in the schema`);
  }
}

function diffTable(tableName: string, expected: TableModel, actual: TableModel, problems: string[]): void {
  for (const [col, spec] of Object.entries(expected.columns)) {
    const other = actual.columns[col];
    if (!other) {
      problems.push(`column "${tableName}"."${col}" is in the schema but not in the database`);
      continue;
    }
    for (const key of ['type', 'nullable', 'default'] as const) {
      if (spec[key] !== other[key]) {
        problems.push(
          `column "${tableName}"."${col}" ${key}: schema says ${JSON.stringify(spec[key])}, database has ${JSON.stringify(other[key])}`,
        );
      }
    }
  }
  for (const col of Object.keys(actual.columns)) {
    if (!expected.columns[col]) problems.push(`column "${tableName}"."${col}" is in the database but not in the schema`);
  }
  const pk = (k: TableModel['primaryKey']) => `${k.name}(${k.columns.join(',')})`;
  if (pk(expected.primaryKey) !== pk(actual.primaryKey)) {
    problems.push(`primary key of "${tableName}": schema says ${pk(expected.primaryKey)}, database has ${pk(actual.primaryKey)}`);
  }
  diffNamed(tableName, 'index', expected.indexes, actual.indexes, (i) => `${i.unique ? 'unique ' : ''}(${i.columns.join(',')})`, problems);
  diffNamed(
    tableName,
    'foreign key',
    expected.foreignKeys,
    actual.foreignKeys,
    (f) => `(${f.columns.join(',')}) → ${f.refTable}(${f.refColumns.join(',')}) on delete ${f.onDelete} on update ${f.onUpdate}`,
    problems,
  );
}

function diffNamed<T extends { name: string }>(
  tableName: string,
  what: string,
  expected: T[],
  actual: T[],
  describe: (item: T) => string,
  problems: string[],
): void {
  const actualByName = new Map(actual.map((item) => [item.name, item]));
  for (const item of expected) {
    const other = actualByName.get(item.name);
    if (!other) problems.push(`${what} "${item.name}" ${describe(item)} on "${tableName}" is in the schema but not in the database`);
    else if (describe(item) !== describe(other))
      problems.push(`${what} "${item.name}" on "${tableName}": schema says ${describe(item)}, database has ${describe(other)}`);
  }
  const expectedNames = new Set(expected.map((item) => item.name));
  for (const item of actual) {
    if (!expectedNames.has(item.name)) problems.push(`${what} "${item.name}" on "${tableName}" is in the database but not in the schema`);
  }
}
