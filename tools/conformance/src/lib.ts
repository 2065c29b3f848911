export { discoverCases } from './cases.js';
export { behaviourNamer, edsIdentity } from './cluster-identity.js';
export type { Comparison, Side } from './compare.js';
export { compareConfigs } from './compare.js';
export { firstDifference, formatDifference } from './diff.js';
export { generateProbes, outcomeSignature } from './probes.js';
export { runCase } from './run-case.js';
export { summarise } from './summary.js';
