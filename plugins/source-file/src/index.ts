export { createFileSource, type FileSourceConfig, FileSourceConfigSchema } from './file-source.js';
export { isResourceFile, listResourceFiles } from './list-files.js';
export { type ParsedFile, parseResourceFile } from './parse-documents.js';
export { fileSourcePlugin, fileSourcePlugin as default } from './plugin.js';
export { displayPath, type ReadResult, readResourceFile, readResourcesFromPaths } from './read-paths.js';
