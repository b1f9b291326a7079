import 'reflect-metadata';
import { runService } from '@app/http';
import { loadVideoStreamingServerConfig } from './config';
import { createFinalizeWorker, FINALIZE_WORKER_NAME } from './finalize-worker';

void runService(FINALIZE_WORKER_NAME, () => loadVideoStreamingServerConfig(), createFinalizeWorker);
