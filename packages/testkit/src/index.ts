export * from './golden.js';
export type { FakeKubeApiServerOptions, RecordedRequest } from './kube-fake-apiserver.js';
export { FakeKubeApiServer, startFakeKubeApiServer } from './kube-fake-apiserver.js';
export type { KubeObject, KubeResourceType } from './kube-resource-types.js';
export * from './xds-client.js';
export * from './xds-grpc.js';
export * from './xds-snapshot.js';
