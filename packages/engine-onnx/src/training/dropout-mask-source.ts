// Dropout masks drawn on a worker thread while onnxruntime computes.
// onnxruntime-node runs a session synchronously on the JavaScript thread, so
// masks drawn there (~10 ms per block of the bench model, twice per block with
// recomputed activations) add to every step; a worker draws block l+1's masks
// during block l. The masks are the same as drawn in-thread (one function,
// @layerprune/data's fillDropoutMasks); if the worker cannot start or dies, the
// masks are drawn in-thread. Buffers are pooled by size and transferred, never
// copied; release() returns a block's masks to the pool once its graphs ran.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { fillDropoutMasks, type RngState } from '@layerprune/data';
import type { MaskReply, MaskRequest } from './mask-worker.js';

export interface MaskModule {
  name: string;
  inFeatures: number;
}

interface Pending {
  request: MaskRequest;
  /** Buffer sizes (the request's own buffers are detached once transferred). */
  bytes: number[];
  resolve: (buffers: ArrayBuffer[]) => void;
  reject: (error: Error) => void;
}

/**
 * The compiled worker script. This module runs from dist/ when installed and
 * from src/ under the test runner (which compiles TypeScript on the fly; its
 * test target builds dist/ first): the worker always runs the compiled file.
 */
export function maskWorkerPath(): string {
  const sibling = fileURLToPath(new URL('./mask-worker.js', import.meta.url));
  return existsSync(sibling) ? sibling : fileURLToPath(new URL('../../dist/training/mask-worker.js', import.meta.url));
}

export class DropoutMaskSource {
  /** The script to start on the first request (null: draw in-thread); the worker once started. */
  private workerPath: string | null;
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly pool = new Map<number, ArrayBuffer[]>();
  private nextId = 0;

  /**
   * `useWorker: false` (or a missing script) draws every mask in-thread. The worker starts
   * with the first request: training without dropout never starts it.
   */
  constructor(options: { useWorker?: boolean; workerPath?: string } = {}) {
    const path = options.useWorker === false ? null : (options.workerPath ?? maskWorkerPath());
    this.workerPath = path !== null && existsSync(path) ? path : null;
  }

  /** Whether masks are (or will be, from the first request) drawn on the worker thread; false after a failure or without one. */
  get threaded(): boolean {
    return this.worker !== null || this.workerPath !== null;
  }

  private startWorker(): Worker | null {
    if (this.worker || this.workerPath === null) return this.worker;
    const path = this.workerPath;
    this.workerPath = null;
    let worker: Worker;
    try {
      worker = new Worker(path);
    } catch {
      // e.g. no thread could be created: the masks are the same drawn here.
      return null;
    }
    worker.unref();
    worker.on('message', (reply: MaskReply) => this.settle(reply));
    worker.on('error', () => this.abandonWorker());
    worker.on('exit', () => this.abandonWorker());
    this.worker = worker;
    return worker;
  }

  /** The masks of `modules` ([rows, inFeatures] each, in order) from generator `state`, by module name. */
  async masks(state: RngState, rows: number, modules: readonly MaskModule[], p: number): Promise<Map<string, Float32Array>> {
    const buffers = modules.map((m) => this.take(rows * m.inFeatures * Float32Array.BYTES_PER_ELEMENT));
    const request: MaskRequest = { id: this.nextId++, state: [state[0], state[1], state[2], state[3]], p, buffers };
    const filled = this.startWorker() ? await this.post(request) : this.fillHere(request);
    return new Map(modules.map((m, i) => [m.name, new Float32Array(filled[i])]));
  }

  /** Returns masks to the pool; they must no longer be read (their buffers go to the next request). */
  release(masks: Map<string, Float32Array> | null): void {
    if (!masks) return;
    for (const mask of masks.values()) {
      const free = this.pool.get(mask.byteLength) ?? [];
      free.push(mask.buffer as ArrayBuffer);
      this.pool.set(mask.byteLength, free);
    }
  }

  async dispose(): Promise<void> {
    const worker = this.worker;
    this.workerPath = null;
    this.abandonWorker();
    this.pool.clear();
    if (worker) await worker.terminate();
  }

  private take(bytes: number): ArrayBuffer {
    return this.pool.get(bytes)?.pop() ?? new ArrayBuffer(bytes);
  }

  private post(request: MaskRequest): Promise<ArrayBuffer[]> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { request, bytes: request.buffers.map((b) => b.byteLength), resolve, reject });
      this.worker!.postMessage(request, request.buffers);
    });
  }

  private settle(reply: MaskReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.error === undefined) pending.resolve(reply.buffers);
    else pending.reject(new Error(`drawing dropout masks failed: ${reply.error}`));
  }

  /** Stops using the worker; requests in flight are redone in-thread (their buffers went with the worker). */
  private abandonWorker(): void {
    if (!this.worker) return;
    this.worker = null;
    for (const { request, bytes, resolve, reject } of this.pending.values()) {
      try {
        resolve(this.fillHere({ ...request, buffers: bytes.map((n) => new ArrayBuffer(n)) }));
      } catch (cause) {
        reject(cause as Error);
      }
    }
    this.pending.clear();
  }

  private fillHere(request: MaskRequest): ArrayBuffer[] {
    fillDropoutMasks(request.state, request.p, request.buffers.map((b) => new Float32Array(b)));
    return request.buffers;
  }
}
