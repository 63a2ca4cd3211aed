// The selection rule both inference engines (chooseEngine) and training engines
// (@layerprune/lora's chooseTrainer) follow: from an ordered list, the first
// factory that supports the model and whose runtime loads. Callers supply the
// words and error classes; the order, the fallbacks and what is reported are here.

export interface SkippedFactory {
  name: string;
  reason: string;
}

export interface FactoryChoiceRules<F extends { readonly name: string }, P> {
  /** Why `factory` cannot run the model, or null. */
  unsupportedReason(factory: F): string | null;
  /** Loads the factory's runtime; throws when it is not installed or cannot start. */
  prepare(factory: F): Promise<P>;
  /** The error when the only candidate cannot run the model. */
  unsupported(factory: F, reason: string): Error;
  /** The error when every candidate was skipped or failed (the last failure is `cause`). */
  unavailable(tried: SkippedFactory[], cause: unknown): Error;
  /** Called with the choice when there was one to make (more than one factory, or some skipped). */
  chosen(prepared: P, skipped: SkippedFactory[]): void;
}

/**
 * A single factory that fails to load throws its own error; a list falls back in
 * order, and only when every factory was skipped or failed is it `unavailable`.
 */
export async function chooseFirstFactory<F extends { readonly name: string }, P>(
  factories: readonly F[],
  rules: FactoryChoiceRules<F, P>,
): Promise<{ prepared: P; skipped: SkippedFactory[] }> {
  const skipped: SkippedFactory[] = [];
  for (const [i, factory] of factories.entries()) {
    const last = i === factories.length - 1;
    const reason = rules.unsupportedReason(factory);
    if (reason !== null) {
      if (last && skipped.length === 0) throw rules.unsupported(factory, reason);
      skipped.push({ name: factory.name, reason });
      continue;
    }
    try {
      const prepared = await rules.prepare(factory);
      if (factories.length > 1 || skipped.length > 0) rules.chosen(prepared, skipped);
      return { prepared, skipped };
    } catch (error) {
      if (last) {
        if (skipped.length === 0) throw error;
        throw rules.unavailable([...skipped, { name: factory.name, reason: (error as Error).message }], error);
      }
      skipped.push({ name: factory.name, reason: (error as Error).message });
    }
  }
  throw new Error('unreachable');
}

/** "onnx: reason; tfjs: reason" */
export function describeSkipped(skipped: readonly SkippedFactory[]): string {
  return skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
}
