import { Module } from '@nestjs/common';
import { RecordingsController } from './recordings.controller';
import { RecordingsService } from './recordings.service';

@Module({ controllers: [RecordingsController], providers: [RecordingsService] })
export class RecordingsModule {}
