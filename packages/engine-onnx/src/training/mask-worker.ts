// Worker-thread entry of DropoutMaskSource: fills the buffers it is handed with
// one block's dropout masks and hands them back. Buffers are transferred both
// ways (no copy). Runs compiled (dist/training/mask-worker.js).
import { parentPort } from 'node:worker_threads';
import { fillDropoutMasks, type RngState } from '@layerprune/data';

export interface MaskRequest {
  id: number;
  state: RngState;
  p: number;
  buffers: ArrayBuffer[];
}

export interface MaskReply {
  id: number;
  buffers: ArrayBuffer[];
  error?: string;
}

const port = parentPort;
port?.on('message', (request: MaskRequest) => {
  let error: string | undefined;
  try {
    fillDropoutMasks(request.state, request.p, request.buffers.map((b) => new Float32Array(b)));
  } catch (cause) {
    error = (cause as Error).message;
  }
  const reply: MaskReply = { id: request.id, buffers: request.buffers, error };
  port.postMessage(reply, request.buffers);
});
