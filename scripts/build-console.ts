import { CONSOLE_DIST, ensureConsoleBuilt } from '../src/platform/http/console-build.js';

const result = await ensureConsoleBuilt({ force: process.argv.includes('--force'), log: console.log });
console.log(result.built ? `console built in ${(result.ms / 1000).toFixed(1)} s → ${CONSOLE_DIST}` : `console up to date in ${CONSOLE_DIST}`);
