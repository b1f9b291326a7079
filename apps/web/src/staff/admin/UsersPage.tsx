import { useState } from 'react';
import { Notice } from '../../components/Notice';
import { SubmitFooter, useFormSubmit } from '../form-submit';
import { ApiError, describeError } from '../../http';
import { useLoad } from '../review/useLoad';
import { useStaffUser, type StaffRole } from '../session';
import { changeRole, createUser, deactivateUser, listUsers, roleLabel, roleName, ROLES, type StaffMember } from './api';

/** The org's staff: add someone with a role, change roles, deactivate (admins; never oneself). */
export function UsersPage() {
  const me = useStaffUser();
  const [version, setVersion] = useState(0);
  const users = useLoad(`users:${version}`, listUsers);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const reload = () => setVersion((v) => v + 1);

  const act = async (what: string, run: () => Promise<StaffMember>) => {
    setNotice(null);
    try {
      const user = await run();
      setNotice({ tone: 'success', text: `${user.displayName}: ${what}.` });
    } catch (err) {
      setNotice({ tone: 'error', text: describeError(err, 'The user may have been removed.') });
    }
    reload();
  };

  return (
    <section className="staff-page">
      <h1 tabIndex={-1}>Users</h1>
      <AddUserForm
        onAdded={(u) => {
          setNotice({ tone: 'success', text: `${u.displayName} was added as ${roleLabel(u.role)}.` });
          reload();
        }}
      />
      <h2>Staff</h2>
      {notice && <Notice tone={notice.tone}>{notice.text}</Notice>}
      {users.state === 'loading' && (
        <p role="status" className="muted">
          Loading users…
        </p>
      )}
      {users.state === 'error' && <Notice tone="error">{describeError(users.error)}</Notice>}
      {users.state === 'done' && (
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.value.map((u) => (
              <UserRow
                key={u.id}
                user={u}
                self={u.id === me?.id}
                onRole={(role) => void act(`role changed to ${roleLabel(role)}`, () => changeRole(u.id, role))}
                onDeactivate={() => void act('deactivated', () => deactivateUser(u.id))}
              />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function UserRow(props: {
  user: StaffMember;
  self: boolean;
  onRole: (role: StaffRole) => void;
  onDeactivate: () => void;
}) {
  const { user } = props;
  const [confirming, setConfirming] = useState(false);
  const editable = user.active && !props.self;
  return (
    <tr>
      <td data-label="Name">
        {user.displayName}
        {props.self && <span className="muted"> (you)</span>}
      </td>
      <td data-label="Email">{user.email}</td>
      <td data-label="Role">
        {editable ? (
          <select
            aria-label={`Role of ${user.displayName}`}
            value={user.role}
            onChange={(e) => props.onRole(e.target.value as StaffRole)}
          >
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleName(r)}
              </option>
            ))}
          </select>
        ) : (
          roleName(user.role)
        )}
      </td>
      <td data-label="Status">{user.active ? 'Active' : 'Deactivated'}</td>
      <td data-label="Actions">
        {editable &&
          (confirming ? (
            <span className="inline-actions">
              <button type="button" className="danger small" onClick={props.onDeactivate}>
                Deactivate {user.displayName}
              </button>
              <button type="button" className="small" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" className="small" onClick={() => setConfirming(true)}>
              Deactivate…
            </button>
          ))}
      </td>
    </tr>
  );
}

function AddUserForm(props: { onAdded: (user: StaffMember) => void }) {
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<StaffRole>('interviewer');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useFormSubmit(
    async () => {
      const user = await createUser({ email: email.trim(), displayName: displayName.trim(), role, password });
      setEmail('');
      setDisplayName('');
      setPassword('');
      props.onAdded(user);
    },
    (err) =>
      err instanceof ApiError && err.status === 409 ? 'Someone with this email already exists.' : describeError(err),
  );

  return (
    <form className="staff-form card-block" onSubmit={(e) => void submit(e)} aria-labelledby="add-user-title">
      <h2 id="add-user-title">Add a staff member</h2>
      <div className="form-grid">
        <div className="field">
          <label htmlFor="user-name">Name</label>
          <input id="user-name" required value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="user-email">Work email</label>
          <input
            id="user-email"
            type="email"
            required
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="user-role">Role</label>
          <select id="user-role" value={role} onChange={(e) => setRole(e.target.value as StaffRole)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {roleName(r)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="user-password">Temporary password</label>
          <input
            id="user-password"
            type="password"
            required
            minLength={12}
            autoComplete="new-password"
            aria-describedby="user-password-hint"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <span id="user-password-hint" className="hint">
            At least 12 characters. Give it to them in person or over a secure channel.
          </span>
        </div>
      </div>
      <SubmitFooter busy={busy} error={error} busyLabel="Adding…" label="Add staff member" />
    </form>
  );
}
