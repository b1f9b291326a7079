import { useState } from 'react';
import { ApiError, describeError } from '../http';
import { navigate, useLocation } from '../router';
import { SubmitFooter, useFormSubmit } from './form-submit';
import { signIn } from './session';

/** Staff sign-in; goes back to the page that asked for it. */
export function SignInPage() {
  const { search } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useFormSubmit(
    async () => {
      await signIn(email.trim(), password);
      const next = search.get('next');
      // Only same-app paths: an open redirect from a crafted sign-in link is refused.
      navigate(next && next.startsWith('/staff/') ? next : '/staff/interviews', { replace: true });
    },
    (err) =>
      err instanceof ApiError && err.status === 401
        ? 'The email or password is not right.'
        : err instanceof ApiError && err.status === 429
          ? 'Too many attempts. Wait a few minutes and try again.'
          : describeError(err),
  );

  return (
    <section className="card narrow">
      <h1 tabIndex={-1}>Sign in to Parley</h1>
      <form onSubmit={(e) => void submit(e)} className="form">
        <label htmlFor="email">Work email</label>
        <input
          id="email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <label htmlFor="password">Password</label>
        <input
          id="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <SubmitFooter busy={busy} error={error} busyLabel="Signing in…" label="Sign in" />
      </form>
    </section>
  );
}
