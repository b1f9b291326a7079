import { Module } from '@nestjs/common';
import { MeetingInvitesService } from './meeting-invites.service';
import { MeetingInvitesController, MeetingsController } from './meetings.controller';
import { MeetingsService } from './meetings.service';

@Module({
  controllers: [MeetingsController, MeetingInvitesController],
  providers: [MeetingsService, MeetingInvitesService],
  exports: [MeetingsService],
})
export class MeetingsModule {}
