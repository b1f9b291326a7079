import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CandidatesController, UsersController } from './people.controller';
import { PeopleService } from './people.service';

@Module({ imports: [AuthModule], controllers: [UsersController, CandidatesController], providers: [PeopleService] })
export class PeopleModule {}
