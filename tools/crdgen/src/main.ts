#!/usr/bin/env node
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedCrdFile, renderCrds } from './render.js';

/** Writes deploy/01-crds.yaml at the repository root (or the directory given). */
const here = dirname(fileURLToPath(import.meta.url));
const deployDir = resolve(process.argv[2] ?? join(here, '..', '..', '..', 'deploy'));
const target = join(deployDir, generatedCrdFile);
writeFileSync(target, renderCrds());
console.log(`wrote ${target}`);
