// The API as its own process on an isolated installation, as users and operators run it.
import path from 'node:path';
import { freePorts, REPO_ROOT, spawnService, stackEnvFor, type ServiceProcess } from './stack';
import type { TestEnv } from './test-env';
import { waitFor } from './wait-for';

export interface ApiProcess {
  url: string;
  service: ServiceProcess;
  stop(): Promise<void>;
}

export async function startApiProcess(env: TestEnv, extraEnv: Record<string, string> = {}): Promise<ApiProcess> {
  const [port] = (await freePorts(1)) as [number];
  const url = `http://127.0.0.1:${port}`;
  const service = spawnService('api', path.join(REPO_ROOT, 'node_modules/.bin/tsx'), ['apps/api/src/main.ts'], {
    ...stackEnvFor(env),
    API_PORT: String(port),
    API_HOST: '127.0.0.1',
    ...extraEnv,
  });
  try {
    await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 'the API to be ready', 60_000, 250);
  } catch (error) {
    await service.stop();
    throw new Error(`${(error as Error).message}\n${service.output().slice(-3000)}`);
  }
  return { url, service, stop: () => service.stop() };
}
