export * from './restriction.types';
export * from './restriction.commands';
export * from './domain-error';
export * from './identifiers';
export * from './working-day-calendar';
export * from './restriction';
export * from './partner';
export * from './correction';
