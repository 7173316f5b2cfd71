import { Logger } from '@aws-lambda-powertools/logger';

/** The inbound function's structured logger. Never given credentials or request bodies. */
export const logger = new Logger({ serviceName: 'event-relay' });
