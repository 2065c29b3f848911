export {};
export * from './xds-client.js';
export * from './xds-snapshot.js';
export * from './golden.js';
