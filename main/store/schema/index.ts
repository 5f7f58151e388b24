export * from './tenants';
export * from './cases';
export * from './alerts';
export * from './tasks';
export * from './observables';
export * from './activity';
export * from './settings';
export * from './jobs';
