/** The store: one interface (`types.ts`), opened by URL (`open.ts`). */
export { DEFAULT_STORE_URL, openStore, parseStoreUrl } from './open.ts';
export type * from './types.ts';
