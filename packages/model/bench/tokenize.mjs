// Tokenization speed: @huggingface/tokenizers (what loadTokenizer used before) against
// loadTokenizer's fast sentencepiece-BPE encoder, on the held-out TinyStories file and
// on MMLU 5-shot prompts. Checks that both give the same ids, prints chars/s and ratios.
//
//   npx nx run @layerprune/model:build && node packages/model/bench/tokenize.mjs [tokenizer dir ...]
//
// Default dir: the bundled stories260K. Any Hugging Face dir with a sentencepiece-style
// tokenizer.json (Llama-2, Mistral) can be given.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { loadTokenizer } from '../dist/index.js';

const ASSETS = fileURLToPath(new URL('../../assets/', import.meta.url));
const dirs = process.argv.length > 2 ? process.argv.slice(2) : [join(ASSETS, 'models', 'stories260K')];

const heldout = readFileSync(join(ASSETS, 'data', 'tinystories-heldout.txt'), 'utf8');
const paragraphs = heldout.replace(/\n$/, '').split('\n\n');

function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[i++];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      rows.push([...row, field]);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** 4 five-shot prompts per subject, in the lm-evaluation-harness MMLU format. */
function mmluPrompts() {
  const letters = ['A', 'B', 'C', 'D'];
  const format = (r) => `${r[0].trim()}\n${r.slice(1, 5).map((c, i) => `${letters[i]}. ${c}\n`).join('')}Answer:`;
  const prompts = [];
  for (const file of readdirSync(join(ASSETS, 'data', 'mmlu', 'dev')).sort()) {
    const subject = file.replace(/_dev\.csv$/, '');
    const shots = parseCsv(readFileSync(join(ASSETS, 'data', 'mmlu', 'dev', file), 'utf8')).slice(1, 6);
    const header = `The following are multiple choice questions (with answers) about ${subject.replaceAll('_', ' ')}.\n\n`;
    const examples = shots.map((r) => `${format(r)} ${letters[Number(r[5])]}\n\n`).join('');
    for (const q of parseCsv(readFileSync(join(ASSETS, 'data', 'mmlu', 'test', `${subject}_test.csv`), 'utf8')).slice(1, 5)) {
      prompts.push(header + examples + format(q));
    }
  }
  return prompts;
}

const corpora = [
  { name: `held-out paragraphs (${paragraphs.length})`, texts: paragraphs },
  { name: 'held-out file as one text', texts: [heldout] },
  { name: 'MMLU 5-shot prompts (228)', texts: mmluPrompts() },
];

function seconds(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return { result, s: Number(process.hrtime.bigint() - start) / 1e9 };
}

const rate = (chars, s) => `${(chars / s / 1e6).toFixed(2)} M chars/s`;

for (const dir of dirs) {
  const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
  const hf = new HfTokenizer(json, config);
  const bos = hf.token_to_id(config.bos_token?.content ?? config.bos_token ?? '<s>');
  const unk = json.model.fuse_unk === true ? hf.token_to_id(json.model.unk_token) : null;
  // Exactly what loadTokenizer's encode() did before: library ids, BOS, <unk> runs fused.
  const libraryEncode = (text) => {
    const out = [bos];
    for (const id of hf.encode(text, { add_special_tokens: false }).ids) if (!(id === unk && out[out.length - 1] === id)) out.push(id);
    return out;
  };
  console.log(`\n${dir}`);
  for (const { name, texts } of corpora) {
    const chars = texts.reduce((n, t) => n + t.length, 0);
    // JIT warm-up: 200 paragraphs through the library, the whole corpus through a throw-away fast tokenizer.
    for (const t of paragraphs.slice(0, 200)) libraryEncode(t);
    const warmup = await loadTokenizer(dir);
    for (const t of texts) warmup.encode(t);
    const library = seconds(() => texts.map(libraryEncode));
    // First pass: fresh tokenizers, so the word cache starts empty (best of 3, against GC noise).
    let cold = null;
    for (let r = 0; r < 3; r++) {
      const fresh = await loadTokenizer(dir);
      const run = seconds(() => texts.map((t) => fresh.encode(t)));
      if (cold === null || run.s < cold.s) cold = run;
    }
    const tokenizer = await loadTokenizer(dir);
    let warm = Infinity;
    for (let r = 0; r < 5; r++) warm = Math.min(warm, seconds(() => texts.map((t) => tokenizer.encode(t))).s);
    const same = library.result.every((ids, i) => ids.length === cold.result[i].length && ids.every((id, j) => id === cold.result[i][j]));
    console.log(`  ${name}, ${chars} chars, ${library.result.reduce((n, ids) => n + ids.length, 0)} tokens, ids equal: ${same ? 'yes' : 'NO'}`);
    console.log(`    @huggingface/tokenizers ${rate(chars, library.s)}`);
    console.log(`    fast, first pass        ${rate(chars, cold.s)}  (${(library.s / cold.s).toFixed(1)}x; empty word cache, best/3)`);
    console.log(`    fast, repeated (best/5) ${rate(chars, warm)}  (${(library.s / warm).toFixed(1)}x)`);
  }
}
