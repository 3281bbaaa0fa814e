export * from './topics';
export * from './restriction-event';
export * from './ids';
export * from './partitioning';
