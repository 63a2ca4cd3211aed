// Mean next-token loss of base + adapters over every sequence of a packed set
// (no dropout, no gradients), token-weighted across micro-batches, on any engine.
import type { PackedSequences } from './packed-sequences.js';
import type { LoraTrainer } from './trainer/lora-trainer.js';

export async function evaluateLoss(trainer: LoraTrainer, data: PackedSequences, microBatchSize: number): Promise<number> {
  let total = 0;
  let tokens = 0;
  for (let start = 0; start < data.count; start += microBatchSize) {
    const batch: number[][] = [];
    for (let i = start; i < Math.min(data.count, start + microBatchSize); i++) batch.push(data.sequence(i));
    const r = await trainer.loss(batch);
    total += r.loss * r.tokens;
    tokens += r.tokens;
  }
  return total / tokens;
}
