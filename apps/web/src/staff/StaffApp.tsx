import { useEffect, useState, type ReactNode } from 'react';
import { Link, matchPath, navigate, useLocation } from '../router';
import { resumeSession, signOut, useStaffUser, type StaffRole } from './session';
import { NotFound } from './NotFound';
import { SignInPage } from './SignInPage';
import { MeetingRoomPage, MeetingsPage } from './meetings';
import { InterviewsPage, ReviewPage } from './review';
import { NewInterviewPage, PostingsPage, UsersPage } from './admin';

interface Route {
  pattern: string;
  title: string;
  roles?: readonly StaffRole[];
  render: (params: Record<string, string>) => ReactNode;
}

// Who sees what mirrors user-management's own checks (it refuses the rest with 403 regardless).
const ROUTES: Route[] = [
  { pattern: '/staff/meetings', title: 'Meetings', render: () => <MeetingsPage /> },
  { pattern: '/staff/meetings/:id', title: 'Meeting', render: (p) => <MeetingRoomPage meetingId={p.id} /> },
  { pattern: '/staff/interviews', title: 'Interviews', render: () => <InterviewsPage /> },
  { pattern: '/staff/interviews/:id', title: 'Review', render: (p) => <ReviewPage interviewId={p.id} /> },
  { pattern: '/staff/admin/users', title: 'Users', roles: ['admin'], render: () => <UsersPage /> },
  {
    pattern: '/staff/admin/postings',
    title: 'Job postings',
    roles: ['admin', 'recruiter'],
    render: () => <PostingsPage />,
  },
  {
    pattern: '/staff/admin/interviews/new',
    title: 'New interview',
    roles: ['admin', 'recruiter'],
    render: () => <NewInterviewPage />,
  },
];

const NAV: Array<{ href: string; label: string; roles?: readonly StaffRole[] }> = [
  { href: '/staff/interviews', label: 'Interviews' },
  { href: '/staff/meetings', label: 'Meetings' },
  { href: '/staff/admin/postings', label: 'Job postings', roles: ['admin', 'recruiter'] },
  { href: '/staff/admin/interviews/new', label: 'New interview', roles: ['admin', 'recruiter'] },
  { href: '/staff/admin/users', label: 'Users', roles: ['admin'] },
];

/** The staff side: sign-in, then meetings, interview review and org admin behind one header. */
export function StaffApp() {
  const { pathname } = useLocation();
  const user = useStaffUser();
  const [resuming, setResuming] = useState(true);

  useEffect(() => {
    void resumeSession().finally(() => setResuming(false));
  }, []);

  useEffect(() => {
    if (resuming) return;
    if (!user && pathname !== '/staff/sign-in') {
      const next = pathname.startsWith('/staff/') ? `${pathname}${location.search}` : '/staff/interviews';
      navigate(`/staff/sign-in?next=${encodeURIComponent(next)}`, { replace: true });
    } else if (user && (pathname === '/' || pathname === '/staff' || pathname === '/staff/sign-in')) {
      navigate('/staff/interviews', { replace: true });
    }
  }, [resuming, user, pathname]);

  const matched = ROUTES.map((r) => ({ route: r, params: matchPath(r.pattern, pathname) })).find((m) => m.params);
  useEffect(() => {
    document.title = `${matched?.route.title ?? (user ? 'Not found' : 'Sign in')} · Parley`;
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [matched?.route.title, user, pathname]);

  if (resuming) {
    return (
      <div className="app">
        <main aria-busy="true" />
      </div>
    );
  }

  let page: ReactNode;
  if (!user) page = <SignInPage />;
  else if (!matched) page = <NotFound />;
  else if (matched.route.roles && !matched.route.roles.includes(user.role)) page = <NotFound />;
  else page = matched.route.render(matched.params!);

  return (
    <div className="app app-staff">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="brand staff-header">
        <span className="brand-name">
          <span className="brand-mark" aria-hidden="true" />
          Parley
        </span>
        {user && (
          <>
            <nav aria-label="Main">
              <ul>
                {NAV.filter((n) => !n.roles || n.roles.includes(user.role)).map((n) => (
                  <li key={n.href}>
                    <Link href={n.href} aria-current={pathname.startsWith(n.href) ? 'page' : undefined}>
                      {n.label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <span className="who-am-i">
              {user.displayName} <span className="muted">({user.role.replace('_', ' ')})</span>
            </span>
            <button
              type="button"
              className="secondary small"
              onClick={() => void signOut().then(() => navigate('/staff/sign-in', { replace: true }))}
            >
              Sign out
            </button>
          </>
        )}
      </header>
      <main id="main">{page}</main>
    </div>
  );
}
