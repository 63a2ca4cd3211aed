// Parquet files for the tests, written at test time with hyparquet-writer (the
// companion writer of hyparquet; a devDependency). Its default codec is SNAPPY;
// GZIP pages are compressed with node:zlib. For ZSTD, Node 20's zlib has no
// compressor, so `zstdStored` writes valid zstd frames of stored ("raw") blocks:
// the reader's ZSTD path (fzstd) decodes them like any zstd frame. Real
// entropy-coded zstd pages are in test-fixtures/c4-en-train-first100.zstd.parquet.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';

/** A schema element as hyparquet-writer takes it (its own copy of hyparquet's type). */
export type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

export type TestCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'ZSTD';

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];
const ZSTD_MAX_BLOCK = 128 * 1024;

/** A zstd frame (RFC 8878) holding `input` in raw blocks: single segment, 4-byte content size. */
export function zstdStored(input: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(input.length / ZSTD_MAX_BLOCK));
  const out = new Uint8Array(4 + 1 + 4 + blocks * 3 + input.length);
  out.set(ZSTD_MAGIC, 0);
  out[4] = 0xa0; // Frame_Content_Size_flag 2 (4 bytes), Single_Segment_flag 1
  new DataView(out.buffer).setUint32(5, input.length, true);
  let at = 9;
  for (let b = 0; b < blocks; b += 1) {
    const part = input.subarray(b * ZSTD_MAX_BLOCK, (b + 1) * ZSTD_MAX_BLOCK);
    const header = (part.length << 3) | (0 << 1) | (b === blocks - 1 ? 1 : 0); // Block_Type 0 = Raw
    out[at] = header & 0xff;
    out[at + 1] = (header >> 8) & 0xff;
    out[at + 2] = (header >> 16) & 0xff;
    out.set(part, at + 3);
    at += 3 + part.length;
  }
  return out;
}

export interface WriteParquetOptions {
  codec?: TestCodec;
  /** Rows per row group (default: all rows in one). */
  rowGroupSize?: number;
  /** An explicit schema (nested columns); the columns then carry no `type`. */
  schema?: SchemaElement[];
}

/** Writes `columns` to `file` as Parquet and returns its bytes. */
export function writeParquet(file: string, columns: ColumnSource[], options: WriteParquetOptions = {}): Buffer {
  const bytes = Buffer.from(
    parquetWriteBuffer({
      columnData: columns,
      codec: options.codec ?? 'SNAPPY',
      compressors: { GZIP: (input) => gzipSync(input), ZSTD: zstdStored },
      rowGroupSize: options.rowGroupSize,
      schema: options.schema,
    }),
  );
  writeFileSync(file, bytes);
  return bytes;
}

/** A nullable STRING column. */
export function stringColumn(name: string, data: (string | null)[]): ColumnSource {
  return { name, data, type: 'STRING', nullable: true };
}

/** Schema elements of a nullable UTF8 leaf column. */
export function stringSchema(name: string): SchemaElement {
  return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' };
}

/** Schema elements of a nullable list<string> column, in the three-level layout pyarrow (and so Hugging Face) writes. */
export function stringListSchema(name: string): SchemaElement[] {
  return [
    { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  ];
}
