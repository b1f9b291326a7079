// The hiring team's review pages (issue 12): the interview list and one interview's review.
export { InterviewsPage } from './InterviewsPage';
export { ReviewPage } from './ReviewPage';
