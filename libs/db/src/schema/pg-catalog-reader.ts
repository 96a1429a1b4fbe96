// Reads one PostgreSQL schema (namespace) into a RelationalModel, normalised so that it compares
// equal to readPrismaSchema() for a database created by this project's migrations.
import type pg from 'pg';
import type { ColumnModel, ReferentialAction, RelationalModel, TableModel } from './relational-model';

const IGNORED_TABLES = new Set(['_prisma_migrations']);

const UDT_TYPES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  text: 'text',
  uuid: 'uuid',
  jsonb: 'jsonb',
  json: 'json',
  date: 'date',
  bytea: 'bytea',
  numeric: 'decimal',
};

const FK_ACTIONS: Record<string, ReferentialAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

type Queryable = Pick<pg.Client, 'query'>;

export async function readPgSchema(db: Queryable, schema: string): Promise<RelationalModel> {
  const model: RelationalModel = { enums: {}, tables: {} };

  const enums = await db.query<{ name: string; value: string }>(
    `SELECT t.typname AS name, e.enumlabel AS value
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 ORDER BY t.typname, e.enumsortorder`,
    [schema],
  );
  for (const row of enums.rows) (model.enums[row.name] ??= []).push(row.value);

  const columns = await db.query<{
    table_name: string;
    column_name: string;
    data_type: string;
    udt_name: string;
    is_nullable: string;
    column_default: string | null;
    datetime_precision: number | null;
  }>(
    `SELECT c.table_name, c.column_name, c.data_type, c.udt_name, c.is_nullable, c.column_default, c.datetime_precision
       FROM information_schema.columns c JOIN information_schema.tables t
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = $1 ORDER BY c.table_name, c.ordinal_position`,
    [schema],
  );
  for (const row of columns.rows) {
    if (IGNORED_TABLES.has(row.table_name)) continue;
    const table = (model.tables[row.table_name] ??= emptyTable());
    table.columns[row.column_name] = readColumn(row);
  }

  const indexes = await db.query<{ table_name: string; index_name: string; is_unique: boolean; is_primary: boolean; columns: string[] }>(
    `SELECT tc.relname AS table_name, ic.relname AS index_name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
            array_agg(a.attname::text ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_class tc ON tc.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = tc.oid AND a.attnum = k.attnum
      WHERE n.nspname = $1
      GROUP BY tc.relname, ic.relname, i.indisunique, i.indisprimary`,
    [schema],
  );
  for (const row of indexes.rows) {
    const table = model.tables[row.table_name];
    if (!table) continue;
    if (row.is_primary) table.primaryKey = { name: row.index_name, columns: row.columns };
    else table.indexes.push({ name: row.index_name, columns: row.columns, unique: row.is_unique });
  }

  const fks = await db.query<{
    table_name: string;
    name: string;
    columns: string[];
    ref_table: string;
    ref_columns: string[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT tc.relname AS table_name, c.conname AS name,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
            rc.relname AS ref_table,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS ref_columns,
            c.confdeltype AS on_delete, c.confupdtype AS on_update
       FROM pg_constraint c
       JOIN pg_class tc ON tc.oid = c.conrelid
       JOIN pg_class rc ON rc.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = tc.relnamespace
      WHERE c.contype = 'f' AND n.nspname = $1`,
    [schema],
  );
  for (const row of fks.rows) {
    const table = model.tables[row.table_name];
    if (!table) continue;
    table.foreignKeys.push({
      name: row.name,
      columns: row.columns,
      refTable: row.ref_table,
      refColumns: row.ref_columns,
      onDelete: FK_ACTIONS[row.on_delete] ?? 'NO ACTION',
      onUpdate: FK_ACTIONS[row.on_update] ?? 'NO ACTION',
    });
  }
  for (const table of Object.values(model.tables)) {
    table.indexes.sort((a, b) => a.name.localeCompare(b.name));
    table.foreignKeys.sort((a, b) => a.name.localeCompare(b.name));
  }
  return model;
}

function emptyTable(): TableModel {
  return { columns: {}, primaryKey: { name: '', columns: [] }, indexes: [], foreignKeys: [] };
}

function readColumn(row: {
  data_type: string;
  udt_name: string;
  is_nullable: string;
  column_default: string | null;
  datetime_precision: number | null;
}): ColumnModel {
  const isArray = row.data_type === 'ARRAY';
  const udt = isArray ? row.udt_name.slice(1) : row.udt_name;
  let type = UDT_TYPES[udt] ?? udt; // user-defined (enum) types keep their name
  if (udt === 'timestamptz' || udt === 'timestamp') type = `${udt}(${row.datetime_precision ?? 6})`;
  if (isArray) type += '[]';
  return { type, nullable: row.is_nullable === 'YES', default: normaliseDefault(row.column_default) };
}

function normaliseDefault(expr: string | null): string | null {
  if (expr === null) return null;
  if (expr.startsWith('nextval(')) return 'autoincrement';
  if (expr === 'CURRENT_TIMESTAMP' || expr === 'now()') return 'CURRENT_TIMESTAMP';
  const cast = /^('(?:[^']|'')*')::[\w." ]+$/.exec(expr);
  if (cast) return cast[1]!;
  return expr;
}
