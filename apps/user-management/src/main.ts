import 'reflect-metadata';
import { runService } from '@app/http';
import { loadUserManagementConfig, SERVICE_NAME } from './config';
import { createUserManagement } from './create-app';

void runService(SERVICE_NAME, () => loadUserManagementConfig(), createUserManagement);
