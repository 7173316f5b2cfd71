import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './metrics';

/** The one structured logger of every function (level from POWERTOOLS_LOG_LEVEL). Never log secrets. */
export const logger = new Logger({ serviceName: SERVICE_NAME });
