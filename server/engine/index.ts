/** The engine port (types and typed errors) and its one implementation, Operaton over REST. */
export * from './port';
export { createOperatonEngine, type OperatonOptions } from './operaton';
export { toEngineVariables, fromEngineVariables } from './variables';
