import { expect } from 'vitest';
import { DataError } from '../data-error.js';

/** The DataError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
export async function errorOf(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    return error as DataError;
  }
  throw new Error('expected a DataError');
}
