import { useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useNavigate } from 'react-router';
import { whenSessionEnds } from './api/client';
import { Layout } from './components/Layout';
import { EndpointPage } from './pages/Endpoint';
import { EndpointFormPage } from './pages/EndpointForm';
import { DeliveryPage } from './pages/Delivery';
import { EndpointsPage } from './pages/Endpoints';
import { EventTypesPage } from './pages/EventTypes';
import { ExpiredPage } from './pages/Expired';
import { IntegrationsPage } from './pages/Integrations';
import { NotFoundPage } from './pages/NotFound';
import { SignInPage } from './pages/SignIn';
import { sessionToken } from './session';

function RequireSession({ children }: { children: React.ReactNode }) {
  const navigate = useNavigate();
  useEffect(() => whenSessionEnds(() => navigate('/expired', { replace: true })), [navigate]);
  if (!sessionToken()) return <Navigate to="/expired" replace />;
  return children;
}

export function App() {
  return (
    <BrowserRouter basename="/portal">
      <Routes>
        <Route path="session" element={<SignInPage />} />
        <Route path="expired" element={<ExpiredPage />} />
        <Route
          element={
            <RequireSession>
              <Layout />
            </RequireSession>
          }
        >
          <Route index element={<Navigate to="/endpoints" replace />} />
          <Route path="endpoints" element={<EndpointsPage />} />
          <Route path="endpoints/new" element={<EndpointFormPage />} />
          <Route path="endpoints/:id" element={<EndpointPage />} />
          <Route path="endpoints/:id/edit" element={<EndpointFormPage />} />
          <Route path="endpoints/:id/deliveries/:deliveryId" element={<DeliveryPage />} />
          <Route path="event-types" element={<EventTypesPage />} />
          <Route path="integrations" element={<IntegrationsPage />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
