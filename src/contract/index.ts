export * from './workflow';
export * from './run';
export * from './events';
export * from './fold';
export * from './revision';
export * from './issues';
export * from './api';
export * from './scorecard';
