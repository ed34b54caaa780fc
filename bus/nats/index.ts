/** The NATS transport: `connectNatsBus` and the server config generator. */
export { connectNatsBus, DEFAULT_MAX_MESSAGE_BYTES, type NatsBusOptions } from './connect.ts';
export { NatsBus, type NatsBusConfig } from './bus.ts';
export { natsClusterConfigs, natsServerConfig, permissionsFor, withJetStream, JETSTREAM_CLIENT, type ClusterConfigOptions, type ServerConfigOptions, type ServerUser, type UserPermissions } from './server-config.ts';
export { subjects, type Subjects } from './subjects.ts';
