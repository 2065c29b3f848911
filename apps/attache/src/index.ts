export { runCli } from './cli.js';
export type { Serving } from './commands/serve.js';
export { type Distribution, loadDistribution, standardDistribution } from './distribution.js';
export { formatDiagnostic, formatDiagnostics, summarize } from './format-diagnostics.js';
export {
  collectGarbageIfLarge,
  collectingBeforeLowering,
  mainThreadCollectionFlags,
  restoreV8Flags,
  stopYoungGenerationGrowth,
} from './heap-policy.js';
export type { CliIO } from './io.js';
export { canonicalDocumentPieces, inBatches, writePiece } from './print-document.js';
