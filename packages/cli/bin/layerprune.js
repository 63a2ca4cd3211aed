#!/usr/bin/env node
// `--version` alone is answered before anything else is loaded: scripts and
// `npx layerprune --version` call it most, and yargs with the command table
// costs about 90 ms more. Its output is the same as yargs' (tested).
const args = process.argv.slice(2);
if (args.length === 1 && args[0] === '--version') {
  const { readFileSync } = await import('node:fs');
  console.log(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version);
} else {
  const { main } = await import('../dist/main.js');
  process.exitCode = await main(args);
}
