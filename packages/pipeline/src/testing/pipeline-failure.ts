// The PipelineError a promise rejects with, asserted to be one (a resolved promise fails the test).
import { expect } from 'vitest';
import { PipelineError } from '../pipeline-error.js';

export async function pipelineFailure(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}
