// Runs heal() on the onnx trainer from the BUILT packages in a child process, so
// a test can SIGKILL it mid-run. Usage: node onnx-heal-child.mjs '<json HealOptions>'
import { heal } from '@layerprune/lora';
import { onnxTrainerFactory } from '../../dist/index.js';

await heal({ ...JSON.parse(process.argv[2]), trainer: onnxTrainerFactory({ threads: 2 }) });
