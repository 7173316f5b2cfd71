// Generated from the OpenAPI document by `npm run portal:client`; do not edit.

export interface paths {
    "/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This OpenAPI 3.1 document */
        get: operations["getOpenapiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/event-types": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The subscribable event types, each with a description, its JSON Schema and a sample payload */
        get: operations["getEventTypes"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the tenant's webhook subscriptions, newest first */
        get: operations["getWebhooks"];
        put?: never;
        /** Create a webhook subscription */
        post: operations["postWebhooks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a webhook subscription */
        get: operations["getWebhooksById"];
        /** Update a webhook subscription (any subset of the create fields; `null` removes an optional one) */
        put: operations["putWebhooksById"];
        post?: never;
        /** Delete a webhook subscription */
        delete: operations["deleteWebhooksById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/secret/rotate": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rotate the signing secret; the previous one keeps signing for a grace period */
        post: operations["postWebhooksByIdSecretRotate"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Reveal the signing secret (and rotated-out secrets still signing) */
        get: operations["getWebhooksByIdSecret"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/test": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a sample event to the webhook now and report what the endpoint answered */
        post: operations["postWebhooksByIdTest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The deliveries to this webhook, newest first, with every attempt */
        get: operations["getWebhooksByIdLogs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries/{deliveryId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One delivery: every attempt, the body sent and the headers an attempt sends */
        get: operations["getWebhooksByIdDeliveriesByDeliveryId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/deliveries/{deliveryId}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Queue a delivery again (a new sequence of attempts) */
        post: operations["postWebhooksByIdDeliveriesByDeliveryIdRetry"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deliveries per hour (or day): succeeded, failed and retried */
        get: operations["getWebhooksByIdStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Re-send what this webhook was sent (or should have been sent) in a time window, with the original webhook-id, at the replay rate */
        post: operations["postWebhooksByIdReplay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/replays/{replayId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Progress of a replay or catch-up */
        get: operations["getWebhooksByIdReplaysByReplayId"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/replays": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Replays and catch-ups of this webhook, newest first (the running one, if any, is the first) */
        get: operations["getWebhooksByIdReplays"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/parked": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** How many deliveries are parked for this webhook (kept while it was disabled) */
        get: operations["getWebhooksByIdParked"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/webhooks/{id}/activity": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A webhook's lifecycle, newest first: disabled, re-enabled, deliveries parked, replays and catch-ups started and finished */
        get: operations["getWebhooksByIdActivity"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/integrations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List the tenant's integrations, newest first */
        get: operations["getIntegrations"];
        put?: never;
        /** Register a provider account; answers the inbound URL to configure at the provider */
        post: operations["postIntegrations"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/integrations/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get an integration (without its credentials) */
        get: operations["getIntegrationsById"];
        put?: never;
        post?: never;
        /** Delete an integration; its inbound URL stops accepting events */
        delete: operations["deleteIntegrationsById"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The providers an integration can be made for, with their credentials and setup steps */
        get: operations["getProviders"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/portal/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mint a tenant portal link for your customer (API key only) */
        post: operations["postPortalSessions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/portal/sessions/exchange": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange a portal link's code for a session token (once) */
        post: operations["postPortalSessionsExchange"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/portal/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling portal session: its tenant and what it may do */
        get: operations["getPortalSession"];
        put?: never;
        post?: never;
        /** Log out: end the calling portal session at once */
        delete: operations["deletePortalSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                /** @description Stable machine-readable code, e.g. `validation_error`, `not_found` */
                code: string;
                /** @description Human-readable explanation, naming the offending field */
                message: string;
                details?: unknown;
            };
        };
        CreateWebhook: {
            /** @description Where deliveries are POSTed; `https://` unless the deployment allows private targets */
            url: string;
            events: ("EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED")[];
            /** @description Signing secret: `whsec_` + base64 of 24–64 bytes, or 16–128 printable characters. Generated when absent. */
            secret?: string;
            description?: string;
            /** @description HTTP Basic Auth sent with every delivery */
            auth?: {
                /** @constant */
                type: "basic";
                username: string;
                password: string;
            };
            /** @description Extra headers added to every delivery */
            headers?: {
                [key: string]: string;
            };
            /** @description Only forward events of these product categories (e.g. AUTOMATION, CRM); absent means all */
            products?: string[];
            /**
             * @description Default `active`; a `disabled` subscription receives nothing
             * @enum {string}
             */
            status?: "active" | "disabled";
        };
        WebhookWithSecret: {
            id: string;
            url: string;
            events: ("EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED")[];
            description?: string;
            /** @description The password is never shown */
            auth?: {
                /** @constant */
                type: "basic";
                username: string;
            };
            headers?: {
                [key: string]: string;
            };
            products?: string[];
            /** @enum {string} */
            status: "active" | "disabled";
            /** @description Why it is disabled: by the tenant through the API, or by the system (e.g. 410 Gone) */
            disabledReason?: string;
            disabledAt?: string;
            createdAt: string;
            updatedAt: string;
            /** @description The signing secret; shown only when created and when rotated */
            secret: string;
        };
        Webhook: {
            id: string;
            url: string;
            events: ("EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED")[];
            description?: string;
            /** @description The password is never shown */
            auth?: {
                /** @constant */
                type: "basic";
                username: string;
            };
            headers?: {
                [key: string]: string;
            };
            products?: string[];
            /** @enum {string} */
            status: "active" | "disabled";
            /** @description Why it is disabled: by the tenant through the API, or by the system (e.g. 410 Gone) */
            disabledReason?: string;
            disabledAt?: string;
            createdAt: string;
            updatedAt: string;
        };
        UpdateWebhook: {
            /** @description Where deliveries are POSTed; `https://` unless the deployment allows private targets */
            url?: string;
            events?: ("EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED")[];
            /** @description Replaces the secret at once, without a grace period (see rotate) */
            secret?: string;
            /** @description `null` removes it */
            description?: string | null;
            /** @description `null` removes it */
            auth?: {
                /** @constant */
                type: "basic";
                username: string;
                password: string;
            } | null;
            /** @description `null` removes them */
            headers?: {
                [key: string]: string;
            } | null;
            /** @description `null` removes the filter */
            products?: string[] | null;
            /**
             * @description `disabled` stops deliveries at once (matching events are parked); `active` resumes them (and clears `disabledReason`)
             * @enum {string}
             */
            status?: "active" | "disabled";
            /** @description With `status: "active"`: also deliver the events parked while disabled, oldest first, at the replay rate (progress: `catchUp.replayId`) */
            catchUp?: boolean;
        };
        Replay: {
            replayId: string;
            webhookId: string;
            /** @enum {string} */
            kind: "replay" | "catch-up";
            /**
             * @description `stalled`: its steps stopped (see the replay dead-letter queue); another can start
             * @enum {string}
             */
            state: "running" | "finished" | "stalled";
            since?: string;
            until?: string;
            eventTypes?: ("EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED")[];
            /**
             * @description Which deliveries it re-sends
             * @enum {string}
             */
            status: "failed" | "all" | "parked";
            ratePerSecond: number;
            /** @description Deliveries queued again so far */
            queued: number;
            /** @description Deliveries left alone: still being attempted, or no longer parked */
            skipped: number;
            /** @description For a catch-up: the parked deliveries when it started */
            total?: number;
            /** @description Queued deliveries that have settled: succeeded, or failed after their retries (counted as they settle) */
            sent: number;
            /** @description Of those sent, how many failed after their retries */
            failed: number;
            createdAt: string;
            updatedAt: string;
            finishedAt?: string;
        };
        RotateSecret: {
            /** @description How long the previous secret keeps signing (default 86400, 0 retires it at once) */
            gracePeriodSeconds?: number;
        };
        WebhookSecret: {
            secret: string;
            /** @description Rotated-out secrets that still sign (each delivery carries a signature per secret) until `expiresAt` */
            previousSecrets: {
                secret: string;
                expiresAt: string;
            }[];
        };
        TestWebhook: {
            /**
             * @description One of the subscription's event types; default its first
             * @enum {string}
             */
            eventType?: "EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED";
        };
        TestResult: {
            /** @description The test delivery's id (`webhook-id`); it is in the delivery log */
            deliveryId: string;
            /** @enum {string} */
            eventType: "EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED";
            /** @description True when the endpoint answered 2xx */
            delivered: boolean;
            statusCode?: number;
            durationMs: number;
            /** @description The first 1 KB of the response */
            responseBody?: string;
            error?: string;
        };
        Delivery: {
            /** @description Sent as the `webhook-id` header */
            deliveryId: string;
            /** @enum {string} */
            eventType: "EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED";
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed" | "skipped" | "parked";
            /** @description The body that was (or will be) POSTed */
            event: {
                /** @description OPEN, CLICK, or <CHANNEL>_FAILED */
                eventType: string;
                trackingId: string;
                notificationId: string | null;
                /** @enum {string} */
                channel: "EMAIL" | "SMS" | "CALL" | "PUSH" | "WEB_PUSH" | "INAPP_WEB";
                userId: string | null;
                /** @description Event id, the same for every subscriber of this event */
                id: string;
                occurredAt: string;
                provider: string;
                reason?: string;
                product?: string;
            };
            attempts: {
                at: string;
                statusCode?: number;
                durationMs: number;
                error?: string;
                /** @description The first 1 KB of the response */
                responseBody?: string;
            }[];
            createdAt: string;
            updatedAt: string;
        };
        DeliveryDetail: {
            /** @description Sent as the `webhook-id` header */
            deliveryId: string;
            /** @enum {string} */
            eventType: "EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED";
            /** @enum {string} */
            status: "pending" | "succeeded" | "failed" | "skipped" | "parked";
            /** @description The body that was (or will be) POSTed */
            event: {
                /** @description OPEN, CLICK, or <CHANNEL>_FAILED */
                eventType: string;
                trackingId: string;
                notificationId: string | null;
                /** @enum {string} */
                channel: "EMAIL" | "SMS" | "CALL" | "PUSH" | "WEB_PUSH" | "INAPP_WEB";
                userId: string | null;
                /** @description Event id, the same for every subscriber of this event */
                id: string;
                occurredAt: string;
                provider: string;
                reason?: string;
                product?: string;
            };
            attempts: {
                at: string;
                statusCode?: number;
                durationMs: number;
                error?: string;
                /** @description The first 1 KB of the response */
                responseBody?: string;
            }[];
            createdAt: string;
            updatedAt: string;
            /** @description What an attempt sends, as the webhook is configured now */
            request: {
                url: string;
                /** @description The headers each attempt sends; signatures and credentials shown redacted */
                headers: {
                    [key: string]: string;
                };
            };
        };
        WebhookStats: {
            since: string;
            until: string;
            /** @enum {string} */
            bucket: "hour" | "day";
            totals: {
                /** @description Deliveries whose attempt succeeded */
                succeeded: number;
                /** @description Deliveries whose last attempt failed */
                failed: number;
                /** @description Failed attempts followed by a retry */
                retried: number;
            };
            /** @description succeeded / (succeeded + failed); null without deliveries */
            successRate: number | null;
            buckets: {
                start: string;
                /** @description Deliveries whose attempt succeeded */
                succeeded: number;
                /** @description Deliveries whose last attempt failed */
                failed: number;
                /** @description Failed attempts followed by a retry */
                retried: number;
            }[];
        };
        ReplayRequest: {
            /**
             * Format: date-time
             * @description Start of the window (event time), included
             */
            since: string;
            /**
             * Format: date-time
             * @description End of the window (event time), excluded; default now
             */
            until?: string;
            /** @description Only these event types */
            eventTypes?: ("EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED")[];
            /**
             * @description `failed`: only deliveries that failed; `all` (default): every delivery of the window
             * @default all
             * @enum {string}
             */
            status: "failed" | "all";
        };
        ParkedCount: {
            parked: number;
        };
        Activity: {
            /** @description Time-ordered id of the entry; pages go by it */
            activityId: string;
            /**
             * @description The operational event (its EventBridge detail-type, source `event-relay.operations`)
             * @enum {string}
             */
            type: "Subscription Disabled" | "Subscription Re-enabled" | "Deliveries Parked" | "Replay Started" | "Replay Finished";
            /** @description When it happened (ISO 8601) */
            at: string;
            webhookId: string;
            /**
             * @description Disabled / Re-enabled: the system, or the tenant through the API or the portal
             * @enum {string}
             */
            by?: "system" | "api" | "portal";
            /** @description Subscription Disabled: why */
            reason?: string;
            disabledAt?: string;
            enabledAt?: string;
            /** @description Deliveries Parked: parked in this disabled period so far (the entry counts up); Re-enabled: parked when re-enabled */
            parked?: number;
            lastParkedAt?: string;
            /** @description Re-enabled: whether a catch-up was started */
            catchUp?: boolean;
            replayId?: string;
            /** @enum {string} */
            kind?: "replay" | "catch-up";
            /** @description Replay Started: which deliveries (`failed`, `all`, `parked`) */
            status?: string;
            since?: string;
            until?: string;
            total?: number;
            ratePerSecond?: number;
            /** @description Replay Finished: deliveries queued again */
            queued?: number;
            skipped?: number;
            startedAt?: string;
            finishedAt?: string;
        };
        CreateIntegration: {
            /** @enum {string} */
            provider: "sendgrid" | "ses" | "mailgun" | "postmark" | "twilio" | "resend" | "mandrill" | "mailjet" | "brevo" | "vonage" | "telnyx" | "sparkpost" | "plivo" | "generic";
            name?: string;
            /**
             * @description The provider's verification credentials, in its own terms (see the provider table)
             * @default {}
             */
            credentials: {
                [key: string]: unknown;
            };
        };
        Integration: {
            id: string;
            /** @enum {string} */
            provider: "sendgrid" | "ses" | "mailgun" | "postmark" | "twilio" | "resend" | "mandrill" | "mailjet" | "brevo" | "vonage" | "telnyx" | "sparkpost" | "plivo" | "generic";
            name?: string;
            /** @description Where the provider posts its events */
            inboundUrl: string;
            createdAt: string;
        };
        ProviderInfo: {
            /** @enum {string} */
            name: "sendgrid" | "ses" | "mailgun" | "postmark" | "twilio" | "resend" | "mandrill" | "mailjet" | "brevo" | "vonage" | "telnyx" | "sparkpost" | "plivo" | "generic";
            title: string;
            /** @description JSON Schema of the `credentials` object */
            credentials: {
                [key: string]: unknown;
            };
            /** @description Steps in the provider's dashboard */
            setup: string[];
        };
        CreatePortalSession: {
            /** @description `["manage"]` (default): change endpoints; `["read"]`: look only */
            capabilities?: [
                "manage" | "read"
            ];
            /** @description How long the session lasts once the link is opened (default 43200) */
            expiresInSeconds?: number;
            /** @description Where the portal links back to (your dashboard) */
            returnUrl?: string;
        };
        PortalLink: {
            /** @description Open it (or embed it in an iframe) once; the code in it is single-use */
            url: string;
            /** @description When the unused link stops working */
            expiresAt: string;
        };
        PortalSessionToken: {
            tenantId: string;
            capabilities: ("manage" | "read")[];
            expiresAt: string;
            returnUrl?: string;
            /** @description Send as `Authorization: Bearer <token>` */
            token: string;
        };
        PortalSession: {
            tenantId: string;
            capabilities: ("manage" | "read")[];
            expiresAt: string;
            returnUrl?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getOpenapiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getEventTypes: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The catalog */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: {
                            /** @enum {string} */
                            type: "EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED";
                            description: string;
                            /** @description JSON Schema (2020-12) of the body of this event type */
                            schema: {
                                [key: string]: unknown;
                            };
                            samplePayload: {
                                /** @description OPEN, CLICK, or <CHANNEL>_FAILED */
                                eventType: string;
                                trackingId: string;
                                notificationId: string | null;
                                /** @enum {string} */
                                channel: "EMAIL" | "SMS" | "CALL" | "PUSH" | "WEB_PUSH" | "INAPP_WEB";
                                userId: string | null;
                                /** @description Event id, the same for every subscriber of this event */
                                id: string;
                                occurredAt: string;
                                provider: string;
                                reason?: string;
                                product?: string;
                            };
                        }[];
                    };
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooks: {
        parameters: {
            query?: {
                /** @description Page size, 1–100 */
                limit?: number;
                /** @description `nextCursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Webhook"][];
                        /** @description Pass as `cursor` to get the next page; absent on the last page */
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postWebhooks: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to repeat: a repeat within 24 hours returns the first response. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateWebhook"];
            };
        };
        responses: {
            /** @description Created; the only response besides rotation that shows the secret */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookWithSecret"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The subscription */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    putWebhooksById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateWebhook"];
            };
        };
        responses: {
            /** @description The updated subscription; with `catchUp`, the catch-up it started */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        id: string;
                        url: string;
                        events: ("EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED")[];
                        description?: string;
                        /** @description The password is never shown */
                        auth?: {
                            /** @constant */
                            type: "basic";
                            username: string;
                        };
                        headers?: {
                            [key: string]: string;
                        };
                        products?: string[];
                        /** @enum {string} */
                        status: "active" | "disabled";
                        /** @description Why it is disabled: by the tenant through the API, or by the system (e.g. 410 Gone) */
                        disabledReason?: string;
                        disabledAt?: string;
                        createdAt: string;
                        updatedAt: string;
                        catchUp?: components["schemas"]["Replay"];
                    };
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description `catchUp` while a replay of this webhook runs (`replay_running`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteWebhooksById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postWebhooksByIdSecretRotate: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to repeat: a repeat within 24 hours returns the first response. */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["RotateSecret"];
            };
        };
        responses: {
            /** @description The new secret */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        secret: string;
                        /** @description Until then, deliveries carry a signature with each secret */
                        previousSecretExpiresAt: string;
                    };
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksByIdSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The secrets */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookSecret"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postWebhooksByIdTest: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to repeat: a repeat within 24 hours returns the first response. */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["TestWebhook"];
            };
        };
        responses: {
            /** @description What happened (also when the endpoint failed: see `delivered`) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TestResult"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksByIdLogs: {
        parameters: {
            query?: {
                /** @description Page size, 1–100 */
                limit?: number;
                /** @description `nextCursor` of the previous page */
                cursor?: string;
                status?: "pending" | "succeeded" | "failed" | "skipped" | "parked";
                eventType?: "EMAIL_OPEN" | "EMAIL_CLICK" | "EMAIL_FAILED" | "SMS_FAILED" | "CALL_FAILED" | "PUSH_FAILED" | "WEB_PUSH_FAILED" | "INAPP_WEB_FAILED";
                /** @description Only events from this time on (ISO 8601) */
                since?: string;
                /** @description Only events before this time (ISO 8601) */
                until?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page of deliveries. Filters apply within a page, so a page may be short and still have a next one. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Delivery"][];
                        /** @description Pass as `cursor` to get the next page; absent on the last page */
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksByIdDeliveriesByDeliveryId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The delivery */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeliveryDetail"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook or delivery for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postWebhooksByIdDeliveriesByDeliveryIdRetry: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to repeat: a repeat within 24 hours returns the first response. */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
                deliveryId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deliveryId: string;
                        /** @constant */
                        status: "pending";
                    };
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The delivery is still pending (its attempts are not over) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The queue could not be reached; retry with the same Idempotency-Key */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksByIdStats: {
        parameters: {
            query?: {
                /** @description Start (ISO 8601); default 24 hours before `until` */
                since?: string;
                /** @description End (ISO 8601, exclusive); default now */
                until?: string;
                bucket?: "hour" | "day";
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every bucket of the range, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookStats"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postWebhooksByIdReplay: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to repeat: a repeat within 24 hours returns the first response. */
                "Idempotency-Key"?: string;
            };
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReplayRequest"];
            };
        };
        responses: {
            /** @description Started; the first deliveries are queued */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Replay"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description A replay or catch-up of this webhook is running (`replay_running`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Could not start; retry with the same Idempotency-Key */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksByIdReplaysByReplayId: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                replayId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The replay */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Replay"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksByIdReplays: {
        parameters: {
            query?: {
                /** @description Page size, 1–100 */
                limit?: number;
                /** @description `nextCursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of replays */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Replay"][];
                        /** @description Pass as `cursor` to get the next page; absent on the last page */
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksByIdParked: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The count */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ParkedCount"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getWebhooksByIdActivity: {
        parameters: {
            query?: {
                /** @description Page size, 1–100 */
                limit?: number;
                /** @description `nextCursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Activity"][];
                        /** @description Pass as `cursor` to get the next page; absent on the last page */
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such webhook for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getIntegrations: {
        parameters: {
            query?: {
                /** @description Page size, 1–100 */
                limit?: number;
                /** @description `nextCursor` of the previous page */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One page */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["Integration"][];
                        /** @description Pass as `cursor` to get the next page; absent on the last page */
                        nextCursor?: string;
                    };
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postIntegrations: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to repeat: a repeat within 24 hours returns the first response. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateIntegration"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Integration"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getIntegrationsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The integration */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Integration"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such integration for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteIntegrationsById: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such integration for this tenant */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getProviders: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every provider */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        items: components["schemas"]["ProviderInfo"][];
                    };
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postPortalSessions: {
        parameters: {
            query?: never;
            header?: {
                /** @description Makes the request safe to repeat: a repeat within 24 hours returns the first response. */
                "Idempotency-Key"?: string;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["CreatePortalSession"];
            };
        };
        responses: {
            /** @description A link with a single-use code, valid for 10 minutes if unused */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PortalLink"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed for this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    postPortalSessionsExchange: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code: string;
                };
            };
        };
        responses: {
            /** @description The session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PortalSessionToken"];
                };
            };
            /** @description Invalid input; the message names the field */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The link was used already, expired, or never existed; `details.returnUrl` when known */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getPortalSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PortalSession"];
                };
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed for this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deletePortalSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ended */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Missing, unknown or revoked API key */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description Not allowed for this caller */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}
