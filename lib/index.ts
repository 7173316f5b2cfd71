/** The package entry point: the `EventRelay` construct, its props and the pieces it is built from. */
export { EventRelay, type EventRelayProps } from './event-relay';
export { EventRelayStack, OUTPUTS, type EventRelayStackProps } from './event-relay-stack';
export { ConfigError, DEFAULT_CONFIG, type EventRelayConfig, type LogLevel } from './config';
export { Api } from './api';
export { FanOut, type StatusQueues } from './fan-out';
export { Functions, FUNCTION_NAMES, type FunctionName } from './functions';
export { Monitoring } from './monitoring';
export { Storage } from './storage';
