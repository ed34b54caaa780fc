/** Payload and reply types of the api.* protocol, re-exported for the verb files. */
import type { PayloadOf } from '../../bus/catalogue/index.ts';
import type { RequestType } from '../../bus/catalogue/index.ts';

export type { KubeObject, WriteReply, WatchEvent, ListOptions, DeleteOptions, ApiTarget, UserInfo } from '../../bus/catalogue/api.ts';

/** The payload of an api request type. */
export type PayloadShape<T extends RequestType | 'api.unwatch'> = PayloadOf<T>;
