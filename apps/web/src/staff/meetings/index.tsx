// The recruiter's meetings (issue 12): the list, and one meeting's room.
export { MeetingsPage } from './MeetingsPage';
export { MeetingRoomPage } from './MeetingRoomPage';
