import { Module } from '@nestjs/common';
import { SessionTicketSigner } from '../tickets/session-ticket.signer';
import { InterviewsController } from './interviews.controller';
import { InterviewsService } from './interviews.service';
import { InvitesController } from './invites.controller';
import { InvitesService } from './invites.service';

@Module({
  controllers: [InterviewsController, InvitesController],
  providers: [InterviewsService, InvitesService, SessionTicketSigner],
})
export class InterviewsModule {}
