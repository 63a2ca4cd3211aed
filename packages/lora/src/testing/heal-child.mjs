// Runs heal() from the BUILT package in a child process, so a test can SIGKILL
// it mid-run. Usage: node heal-child.mjs '<json HealOptions>'
import { heal } from '../../dist/index.js';

await heal(JSON.parse(process.argv[2]));
