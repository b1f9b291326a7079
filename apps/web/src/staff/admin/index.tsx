// The org admin pages (issue 12): staff, job postings, scheduling an interview.
export { NewInterviewPage } from './NewInterviewPage';
export { PostingsPage } from './PostingsPage';
export { UsersPage } from './UsersPage';
