import { describe, expect, it } from 'vitest';
import { readPrismaSchema } from './prisma-schema-reader';
import { diffRelationalModels } from './relational-model';
import { draftMigrationSql } from './sql-emitter';

const SCHEMA = `
// comment with a "quote" and { brace }
enum Colour {
  red
  green
  @@map("colour")
}

model Owner {
  id    String @id @default(uuid()) @db.Uuid
  email String @unique
  pets  Pet[]
  @@map("owners")
}

model Pet {
  id        Int      @id @default(autoincrement())
  ownerId   String?  @map("owner_id") @db.Uuid
  name      String   @default("it's \\"rex\\"")
  colour    Colour   @default(green)
  tags      Int[]
  meta      Json     @default("{}")
  bornAt    DateTime @default(now()) @map("born_at") @db.Timestamptz(3)
  weight    Float?   @db.Real
  owner     Owner?   @relation(fields: [ownerId], references: [id])

  @@unique([ownerId, name])
  @@index([bornAt])
  @@map("pets")
}
`;

describe('readPrismaSchema', () => {
  const model = readPrismaSchema(SCHEMA);

  it('maps names, types, nullability and defaults the way Prisma Migrate does', () => {
    expect(model.enums).toEqual({ colour: ['red', 'green'] });
    expect(model.tables['pets']!.columns).toEqual({
      id: { type: 'integer', nullable: false, default: 'autoincrement' },
      owner_id: { type: 'uuid', nullable: true, default: null },
      name: { type: 'text', nullable: false, default: `'it''s "rex"'` },
      colour: { type: 'colour', nullable: false, default: "'green'" },
      tags: { type: 'integer[]', nullable: false, default: null },
      meta: { type: 'jsonb', nullable: false, default: "'{}'" },
      born_at: { type: 'timestamptz(3)', nullable: false, default: 'CURRENT_TIMESTAMP' },
      weight: { type: 'real', nullable: true, default: null },
    });
    expect(model.tables['owners']!.columns['id']).toEqual({ type: 'uuid', nullable: false, default: null });
  });

  it('names keys, indexes and foreign keys like Prisma (SET NULL for optional relations)', () => {
    const pets = model.tables['pets']!;
    expect(pets.primaryKey).toEqual({ name: 'pets_pkey', columns: ['id'] });
    expect(pets.indexes).toEqual([
      { name: 'pets_owner_id_name_key', columns: ['owner_id', 'name'], unique: true },
      { name: 'pets_born_at_idx', columns: ['born_at'], unique: false },
    ]);
    expect(pets.foreignKeys).toEqual([
      { name: 'pets_owner_id_fkey', columns: ['owner_id'], refTable: 'owners', refColumns: ['id'], onDelete: 'SET NULL', onUpdate: 'CASCADE' },
    ]);
    expect(model.tables['owners']!.indexes).toEqual([{ name: 'owners_email_key', columns: ['email'], unique: true }]);
  });

  it('drafts SQL that creates everything, and nothing when already in sync', () => {
    const sql = draftMigrationSql({ enums: {}, tables: {} }, model);
    expect(sql).toContain(`CREATE TYPE "colour" AS ENUM ('red', 'green');`);
    expect(sql).toContain('"id" SERIAL NOT NULL');
    expect(sql).toContain(`"colour" "colour" NOT NULL DEFAULT 'green'`);
    expect(sql).toContain('CREATE UNIQUE INDEX "pets_owner_id_name_key" ON "pets"("owner_id", "name");');
    expect(sql).toContain('ALTER TABLE "pets" ADD CONSTRAINT "pets_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE SET NULL ON UPDATE CASCADE;');
    expect(sql.indexOf('CREATE TABLE "pets"')).toBeLessThan(sql.indexOf('ADD CONSTRAINT'));
    expect(draftMigrationSql(model, model)).toBe('');
    expect(diffRelationalModels(model, model)).toEqual([]);
  });

  it('drafts only additions for a grown schema', () => {
    const grown = readPrismaSchema(SCHEMA.replace('  weight    Float?   @db.Real', '  weight    Float?   @db.Real\n  nickname  String?'));
    expect(draftMigrationSql(model, grown).trim()).toBe('-- AlterTable\nALTER TABLE "pets" ADD COLUMN "nickname" TEXT;');
  });
});
