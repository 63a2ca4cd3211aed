export { DataError, isDataError } from './data-error.js';
export type { DataErrorCode, DataErrorDetails } from './data-error.js';
export { MAX_DOCUMENT_CHARS } from './document.js';
export type { Document } from './document.js';
export {
  DEFAULT_MAX_COMPRESSION_RATIO,
  DEFAULT_MAX_DOCUMENT_BYTES,
  formatBytes,
  MIN_DECOMPRESSED_BYTES_LIMIT,
  resolveReadLimits,
} from './read-limits.js';
export type { EncodingErrors, ReadLimitOptions, ResolvedReadLimits } from './read-limits.js';
export { openRegularFile } from './open-regular-file.js';
export type { RegularFile } from './open-regular-file.js';
export { isGzipFile, readLines } from './read-lines.js';
export type { FileLine, Line } from './line.js';
export { parseTextDocuments } from './parse-text-documents.js';
export type { ParseTextOptions } from './parse-text-documents.js';
export { parseJsonlDocuments } from './parse-jsonl-documents.js';
export { loadDocuments, readDocuments } from './read-documents.js';
export { isParquetFile } from './parquet-file.js';
export { readParquetDocuments } from './read-parquet-documents.js';
export type { ReadParquetOptions } from './read-parquet-documents.js';
export { readParquetRows } from './read-parquet-rows.js';
export type { ParquetRow, ReadParquetRowsOptions } from './read-parquet-rows.js';
export type { DataFormat, ReadDocumentsOptions } from './read-documents.js';
export { createRandom, SeededRng } from './seeded-rng.js';
export { fillDropoutMasks } from './fill-dropout-masks.js';
export type { RngState } from './seeded-rng.js';
export { sampleDocuments } from './sample-documents.js';
export type { SampleDocumentsOptions } from './sample-documents.js';
export { tokenizeDocuments, truncateTokens } from './tokenize-documents.js';
export type { EncodeFn, TokenizeOptions, TokenizedDocument } from './tokenize-documents.js';
export { batchByLength, paddingFraction } from './batch-by-length.js';
export type { LengthBatch } from './batch-by-length.js';
export { packSequences, packTokenStream } from './pack-sequences.js';
export type { PackOptions } from './pack-sequences.js';
export { loadCalibrationSequences } from './load-calibration-sequences.js';
export type { CalibrationOptions, CalibrationSequences } from './load-calibration-sequences.js';
