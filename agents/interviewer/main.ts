import { join } from 'node:path';
import { ConfigValidationError } from '@app/config';
import { cli, ServerOptions, type JobRequest } from '@livekit/agents';
import { AGENT_DISPLAY_NAME, AGENT_IDENTITY, decideJob } from './job-policy';
import { loadInterviewerAgentConfig, SERVICE_NAME, type InterviewerAgentConfig } from './config';

function loadConfigOrExit(): InterviewerAgentConfig {
  try {
    return loadInterviewerAgentConfig();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n${SERVICE_NAME} did not start.\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function requestFunc(request: JobRequest): Promise<void> {
  const decision = decideJob(request.room?.name);
  if (!decision.accept) {
    await request.reject();
    return;
  }
  await request.accept(
    AGENT_DISPLAY_NAME,
    AGENT_IDENTITY,
    JSON.stringify({ kind: decision.kind, sessionId: decision.sessionId }),
  );
}

const config = loadConfigOrExit();
// agentName stays empty on purpose: that is what makes LiveKit dispatch every new room to this
// worker automatically; requestFunc then declines the rooms we must not join.
cli.runApp(
  new ServerOptions({
    agent: join(__dirname, 'interviewer.agent.js'),
    agentName: '',
    requestFunc,
    wsURL: config.livekit.url,
    apiKey: config.livekit.apiKey,
    apiSecret: config.livekit.apiSecret,
    host: config.health.host,
    port: config.health.port,
    loadThreshold: config.loadThreshold,
    numIdleProcesses: config.idleProcesses,
    logLevel: config.logLevel,
    production: true,
  }),
);
