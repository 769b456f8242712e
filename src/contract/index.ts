export * from './workflow';
export * from './run';
export * from './events';
export * from './fold';
export * from './revision';
export * from './stable-json';
export * from './issues';
export * from './api';
