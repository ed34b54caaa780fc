/** The process's shared informers: the factory, its actor, and the indexes every informer keeps. */
export { informerFactory, informersActor, INFORMERS_ADDRESS } from './actor.ts';
export { SharedInformerFactory } from './factory.ts';
export { informerKey, ownedBy, SharedInformer, type InformerSpec, type InformerView, type ObjectHandlers } from './shared.ts';
export { NAMESPACE_INDEX, NODE_NAME_INDEX, OWNER_UID_INDEX, type IndexFunc } from './indexer.ts';
