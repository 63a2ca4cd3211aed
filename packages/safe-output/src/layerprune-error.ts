// The one base class of every layerprune error. Each package keeps its own typed
// subclass (TensorIoError, ModelError, OutputError...) with its own `code` union;
// this class holds what they share: a stable `code`, the file, tensor, field,
// line and limit involved, what was expected and found, and the underlying `cause`.

export interface LayerpruneErrorDetails {
  file?: string;
  tensor?: string;
  field?: string;
  /** 1-based line number in the file. */
  line?: number;
  limit?: number | string;
  /** What the config, format or runtime requires, and what was found: e.g. "[512, 64]" vs "[512, 65]". */
  expected?: number | string;
  found?: number | string;
  cause?: unknown;
}

export class LayerpruneError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly file?: string;
  readonly tensor?: string;
  readonly field?: string;
  readonly line?: number;
  readonly limit?: number | string;
  readonly expected?: number | string;
  readonly found?: number | string;

  constructor(code: Code, message: string, details: LayerpruneErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.file = details.file;
    this.tensor = details.tensor;
    this.field = details.field;
    this.line = details.line;
    this.limit = details.limit;
    this.expected = details.expected;
    this.found = details.found;
  }
}
