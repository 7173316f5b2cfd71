/** API Gateway v2 events for `POST /v1/inbound/{integrationId}`, as the HTTP API sends them. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export function inboundEvent(
  integrationId: string,
  body: string | Buffer,
  options: { headers?: Record<string, string>; rawQueryString?: string } = {},
): APIGatewayProxyEventV2 {
  const rawPath = `/v1/inbound/${integrationId}`;
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  return {
    version: '2.0',
    routeKey: 'POST /v1/inbound/{integrationId}',
    rawPath,
    rawQueryString: options.rawQueryString ?? '',
    headers: { host: 'api.example.test', ...options.headers },
    pathParameters: { integrationId },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'jest' },
      requestId: 'req',
      routeKey: 'POST /v1/inbound/{integrationId}',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
  };
}
