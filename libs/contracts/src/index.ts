export * from './topics';
export * from './restriction-event';
export * from './ids';
export * from './partitioning';
export * from './canonical-json';
export * from './signing';
export * from './receipt';
export * from './reconciliation';
