// Parquet task files for the tests, in the column layouts of the Hugging Face
// datasets (nested lists and structs as pyarrow writes them), written at test
// time with hyparquet-writer (a devDependency).
import { writeFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';

type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

/** A top-level column: its schema elements (the column first, then its children depth first). */
export interface Column {
  name: string;
  elements: SchemaElement[];
  /** INT64 cells are written from numbers. */
  int64?: boolean;
}

export const stringColumn = (name: string): Column => ({ name, elements: [{ name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' }] });
export const int64Column = (name: string): Column => ({ name, elements: [{ name, type: 'INT64', repetition_type: 'OPTIONAL' }], int64: true });
export const boolColumn = (name: string): Column => ({ name, elements: [{ name, type: 'BOOLEAN', repetition_type: 'OPTIONAL' }] });

/** list<string>, in the three-level LIST layout. */
export function stringListColumn(name: string): Column {
  return {
    name,
    elements: [
      { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
    ],
  };
}

/** A struct of the given columns (e.g. ARC's choices {text: list<string>, label: list<string>}). */
export function structColumn(name: string, fields: Column[]): Column {
  return { name, elements: [{ name, repetition_type: 'OPTIONAL', num_children: fields.length }, ...fields.flatMap((f) => f.elements)] };
}

/** Writes `rows` (objects keyed by column name; missing keys are null) to `file`, `rowGroupSize` rows per row group. */
export function writeRowsParquet(file: string, columns: Column[], rows: Record<string, unknown>[], rowGroupSize = 100): string {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }, ...columns.flatMap((c) => c.elements)];
  const columnData = columns.map((c) => ({
    name: c.name,
    data: rows.map((r) => {
      const v = r[c.name] ?? null;
      return c.int64 && typeof v === 'number' ? BigInt(v) : v;
    }),
  }));
  writeFileSync(file, new Uint8Array(parquetWriteBuffer({ schema, columnData, rowGroupSize })));
  return file;
}
