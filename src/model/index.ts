export type * from './component.ts';
export type * from './incident.ts';
export type * from './observation.ts';
export type * from './site.ts';
