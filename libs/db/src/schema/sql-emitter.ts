// Emits the DDL that creates a RelationalModel, in the statement order and style of Prisma Migrate,
// so a migration drafted with `npm run db:diff` reads like one Prisma would have written.
import type { ColumnModel, ForeignKeyModel, IndexModel, RelationalModel, TableModel } from './relational-model';

const q = (name: string) => `"${name}"`;
const cols = (names: string[]) => names.map(q).join(', ');

export function columnDdl(name: string, column: ColumnModel, enumNames: Set<string>): string {
  let type: string;
  if (column.default === 'autoincrement') type = column.type === 'bigint' ? 'BIGSERIAL' : 'SERIAL';
  else {
    const base = column.type.replace(/\[\]$/, '');
    type = (enumNames.has(base) ? q(base) : base.toUpperCase()) + (column.type.endsWith('[]') ? '[]' : '');
  }
  const parts = [`${q(name)} ${type}`];
  if (!column.nullable) parts.push('NOT NULL');
  if (column.default !== null && column.default !== 'autoincrement') parts.push(`DEFAULT ${column.default}`);
  return parts.join(' ');
}

export function createEnumSql(name: string, values: string[]): string {
  return `-- CreateEnum\nCREATE TYPE ${q(name)} AS ENUM (${values.map((v) => `'${v}'`).join(', ')});\n`;
}

export function createTableSql(name: string, table: TableModel, enumNames: Set<string>): string {
  const lines = Object.entries(table.columns).map(([col, spec]) => `    ${columnDdl(col, spec, enumNames)},`);
  lines.push(`\n    CONSTRAINT ${q(table.primaryKey.name)} PRIMARY KEY (${cols(table.primaryKey.columns)})`);
  return `-- CreateTable\nCREATE TABLE ${q(name)} (\n${lines.join('\n')}\n);\n`;
}

export function createIndexSql(table: string, index: IndexModel): string {
  return `-- CreateIndex\nCREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${q(index.name)} ON ${q(table)}(${cols(index.columns)});\n`;
}

export function addForeignKeySql(table: string, fk: ForeignKeyModel): string {
  return (
    `-- AddForeignKey\nALTER TABLE ${q(table)} ADD CONSTRAINT ${q(fk.name)} FOREIGN KEY (${cols(fk.columns)}) ` +
    `REFERENCES ${q(fk.refTable)}(${cols(fk.refColumns)}) ON DELETE ${fk.onDelete} ON UPDATE ${fk.onUpdate};\n`
  );
}

/**
 * SQL that adds what `target` has and `current` lacks: enums, enum values, tables, columns, indexes
 * and foreign keys. Removals and type changes are listed as comments for a human to write, because
 * they can lose data.
 */
export function draftMigrationSql(current: RelationalModel, target: RelationalModel): string {
  const out: string[] = [];
  const enumNames = new Set(Object.keys(target.enums));
  for (const [name, values] of Object.entries(target.enums)) {
    const existing = current.enums[name];
    if (!existing) out.push(createEnumSql(name, values));
    else for (const v of values.filter((v) => !existing.includes(v))) out.push(`-- AlterEnum\nALTER TYPE ${q(name)} ADD VALUE '${v}';\n`);
  }
  const later: string[] = [];
  for (const [name, table] of Object.entries(target.tables)) {
    const existing = current.tables[name];
    if (!existing) {
      out.push(createTableSql(name, table, enumNames));
      table.indexes.forEach((i) => later.push(createIndexSql(name, i)));
      table.foreignKeys.forEach((f) => later.push(addForeignKeySql(name, f)));
      continue;
    }
    for (const [col, spec] of Object.entries(table.columns)) {
      const have = existing.columns[col];
      if (!have) out.push(`-- AlterTable\nALTER TABLE ${q(name)} ADD COLUMN ${columnDdl(col, spec, enumNames)};\n`);
      else if (JSON.stringify(have) !== JSON.stringify(spec))
        out.push(`-- needs a hand-written step: "${name}"."${col}" changes from ${JSON.stringify(have)} to ${JSON.stringify(spec)}\n`);
    }
    const haveIndexes = new Set(existing.indexes.map((i) => i.name));
    table.indexes.filter((i) => !haveIndexes.has(i.name)).forEach((i) => later.push(createIndexSql(name, i)));
    const haveFks = new Set(existing.foreignKeys.map((f) => f.name));
    table.foreignKeys.filter((f) => !haveFks.has(f.name)).forEach((f) => later.push(addForeignKeySql(name, f)));
  }
  for (const name of Object.keys(current.tables)) {
    if (!target.tables[name]) out.push(`-- needs a hand-written step: table "${name}" is no longer in the schema\n`);
  }
  return [...out, ...later].join('\n');
}
