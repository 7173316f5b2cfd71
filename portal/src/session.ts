/**
 * The portal session, kept in sessionStorage: it lives as long as the tab, is never sent
 * automatically (no cookie, so no cross-site request can use it), and another site cannot read it.
 */
const TOKEN = 'event-relay.portal.token';
const INFO = 'event-relay.portal.session';

export interface SessionInfo {
  tenantId: string;
  capabilities: ('manage' | 'read')[];
  expiresAt: string;
  returnUrl?: string;
}

export function sessionToken(): string | undefined {
  return sessionStorage.getItem(TOKEN) ?? undefined;
}

export function sessionInfo(): SessionInfo | undefined {
  const raw = sessionStorage.getItem(INFO);
  return raw ? (JSON.parse(raw) as SessionInfo) : undefined;
}

export function saveSession(token: string, info: SessionInfo): void {
  sessionStorage.setItem(TOKEN, token);
  sessionStorage.setItem(INFO, JSON.stringify(info));
}

export function clearSession(): void {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(INFO);
}

export function canManage(info: SessionInfo | undefined): boolean {
  return info?.capabilities.includes('manage') ?? false;
}
