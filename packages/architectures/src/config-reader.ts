// Typed access to a raw config.json object: each getter validates one field and
// throws CONFIG_INVALID naming the file, the field and the value found.
import { ArchitectureError } from './errors.js';

export class ConfigReader {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly file: string,
  ) {}

  invalid(field: string, what: string): ArchitectureError {
    return new ArchitectureError('CONFIG_INVALID', `${this.file}: field ${field} ${what}, got ${JSON.stringify(this.raw[field]) ?? 'nothing'}`, {
      file: this.file,
      field,
    });
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  positiveInt(field: string, fallback?: number): number {
    if (!this.has(field)) {
      if (fallback !== undefined) return fallback;
      throw new ArchitectureError('CONFIG_INVALID', `${this.file}: required field ${field} is missing`, { file: this.file, field });
    }
    const value = this.raw[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) throw this.invalid(field, 'must be a positive integer');
    return value;
  }

  positiveNumber(field: string, fallback: number): number {
    if (!this.has(field)) return fallback;
    const value = this.raw[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw this.invalid(field, 'must be a positive number');
    return value;
  }

  boolean(field: string, fallback: boolean): boolean {
    if (!this.has(field)) return fallback;
    const value = this.raw[field];
    if (typeof value !== 'boolean') throw this.invalid(field, 'must be true or false');
    return value;
  }

  string(field: string, fallback: string | null): string | null {
    if (!this.has(field)) return fallback;
    const value = this.raw[field];
    if (typeof value !== 'string') throw this.invalid(field, 'must be a string');
    return value;
  }

  tokenId(field: string): number | null {
    if (!this.has(field)) return null;
    const value = this.raw[field];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw this.invalid(field, 'must be a non-negative integer');
    return value;
  }

  tokenIds(field: string): number | number[] | null {
    const value = this.raw[field];
    if (!Array.isArray(value)) return this.tokenId(field);
    if (!value.every((id) => typeof id === 'number' && Number.isSafeInteger(id) && id >= 0)) {
      throw this.invalid(field, 'must be a token id or a list of token ids');
    }
    return [...(value as number[])];
  }

  /** A positive number, or null when absent or null (Gemma's softcapping fields). */
  optionalPositiveNumber(field: string): number | null {
    if (!this.has(field)) return null;
    return this.positiveNumber(field, 1);
  }
}
