import { Logger } from '@aws-lambda-powertools/logger';

/** The management API's structured logger (service name and level from the Powertools environment). */
export const logger = new Logger({ serviceName: 'event-relay' });
