import { Link } from '../router';

/** Unknown pages and other organizations' resources look the same: nothing to see here. */
export function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <section className="card">
      <h1 tabIndex={-1}>Not found</h1>
      <p>
        This {what} does not exist, or you do not have access to it.{' '}
        <Link href="/staff/interviews">Go to interviews</Link>.
      </p>
    </section>
  );
}
