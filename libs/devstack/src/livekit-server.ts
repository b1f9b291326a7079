import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess } from './managed-process';
import { ensureGoTool, LIVEKIT_SERVER, type Logger } from './provision';
import { httpOk, waitUntilReady } from './wait';

export interface LiveKitServerOptions {
  name: string;
  port: number;
  rtcTcpPort: number;
  rtcUdpPort: number;
  keys: Record<string, string>;
  webhook?: { apiKey: string; urls: string[] };
  runDir: string;
  logDir?: string;
}

export interface LiveKitServerHandle {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

// YAML is a superset of JSON, so the config file is written as JSON: no YAML library needed.
export function liveKitConfig(options: LiveKitServerOptions): Record<string, unknown> {
  return {
    port: options.port,
    bind_addresses: ['127.0.0.1'],
    rtc: {
      tcp_port: options.rtcTcpPort,
      udp_port: options.rtcUdpPort,
      // Offline and on one machine: advertise loopback, never ask STUN for a public address.
      use_external_ip: false,
      node_ip: '127.0.0.1',
      enable_loopback_candidate: true,
    },
    keys: options.keys,
    ...(options.webhook ? { webhook: { api_key: options.webhook.apiKey, urls: options.webhook.urls } } : {}),
    logging: { level: 'info', json: true },
    room: { empty_timeout: 300, departure_timeout: 20 },
  };
}

export async function startLiveKitServer(options: LiveKitServerOptions, log: Logger): Promise<LiveKitServerHandle> {
  const binary = await ensureGoTool(LIVEKIT_SERVER, log);
  mkdirSync(options.runDir, { recursive: true });
  const configFile = join(options.runDir, 'livekit.yaml');
  writeFileSync(configFile, JSON.stringify(liveKitConfig(options), null, 2), { mode: 0o600 });
  const proc = ManagedProcess.start({
    name: options.name,
    command: binary,
    args: ['--config', configFile],
    logDir: options.logDir,
  });
  const httpUrl = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilReady(() => httpOk(httpUrl), {
      component: 'livekit-server',
      timeoutMs: 30_000,
      abortReason: () => proc.exitDescription(),
      hint: `see ${proc.logFile}; are ports ${options.port}/${options.rtcTcpPort} (tcp) and ${options.rtcUdpPort} (udp) free?`,
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url: `ws://127.0.0.1:${options.port}`, process: proc, stop: () => proc.stop() };
}
