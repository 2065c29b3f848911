export {};
export * from './xds-client.js';
export * from './xds-snapshot.js';
