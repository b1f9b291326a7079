import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import './styles.css';

// Three audiences, chosen by path: candidates (/interview#invite=…), meeting guests
// (/meeting#invite=…) and staff (everything else). Each is its own chunk, so a candidate on a
// slow connection downloads none of the staff pages.
const CandidateApp = lazy(() => import('./CandidateApp').then((m) => ({ default: m.CandidateApp })));
const GuestMeetingApp = lazy(() => import('./meeting/GuestMeetingApp').then((m) => ({ default: m.GuestMeetingApp })));
const StaffApp = lazy(() => import('./staff/StaffApp').then((m) => ({ default: m.StaffApp })));

function Root() {
  const path = window.location.pathname.replace(/\/+$/, '');
  if (path === '/interview') return <CandidateApp />;
  if (path === '/meeting') return <GuestMeetingApp />;
  return <StaffApp />;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Suspense fallback={<div className="app" aria-busy="true" />}>
      <Root />
    </Suspense>
  </StrictMode>,
);
