export { buildCrd, type CrdKind, crdGroup, crdVersion } from './crds.js';
export { crdKinds } from './kinds.js';
export { loadManifests, type ManifestDocument } from './manifests.js';
export { generatedCrdFile, renderCrds } from './render.js';
export { structuralProblems } from './structural-check.js';
export { type JsonSchema, toStructural } from './to-structural.js';
