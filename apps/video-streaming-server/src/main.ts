import 'reflect-metadata';
import { runService } from '@app/http';
import { loadVideoStreamingServerConfig, SERVICE_NAME } from './config';
import { createVideoStreamingServer } from './create-app';

void runService(SERVICE_NAME, () => loadVideoStreamingServerConfig(), createVideoStreamingServer);
