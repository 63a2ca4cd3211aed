// Runs heal() from the BUILT package in a child process, so a test can SIGKILL
// it mid-run. Usage: node heal-child.mjs '<json HealOptions without tokenizer>'
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { heal } from '../../dist/index.js';

const options = JSON.parse(process.argv[2]);
const json = JSON.parse(await readFile(join(options.model, 'tokenizer.json'), 'utf8'));
const config = JSON.parse(await readFile(join(options.model, 'tokenizer_config.json'), 'utf8'));
const tokenizer = new Tokenizer(json, config);
await heal({ ...options, tokenizer: { encode: (text) => tokenizer.encode(text).ids } });
